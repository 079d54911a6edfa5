// Whether a pool's reported calls already ask for more pods than the operator last decided. The
// load tracker queues such an agent ahead of the others: at fleet scale every agent's calls move
// all the time, and a scale-up must not wait its turn behind a thousand passes that only refresh
// call counts in status. Pure; the pass itself decides as always (decidePool).
import type { Capacity } from '@voicefleet/api';
import { poolLoad, type MediaPod } from './pool-load.js';
import { wantedReplicas } from './pool-scaler.js';

export interface PoolUrgencyInput {
  capacity: Pick<Capacity, 'callsPerPod' | 'bufferCalls' | 'bufferPercent' | 'scaling'>;
  maxReplicas: number;
  /** The size last decided (the region's status), undefined before the first decision. */
  desiredReplicas: number | undefined;
  pods: readonly MediaPod[];
}

export function needsPodsNow(i: PoolUrgencyInput): boolean {
  if (i.capacity.scaling === 'external' || i.desiredReplicas === undefined) return false;
  const { calls } = poolLoad(i.pods, i.capacity.callsPerPod);
  const wanted = Math.min(i.maxReplicas, wantedReplicas(calls, i.capacity));
  return wanted > i.desiredReplicas;
}
