// How many media nodes a local pool runs: the operator's pool scaler (scalePool) fed with the
// calls the pool's nodes report, exactly as in a cluster, with its memory kept by the fleet
// instead of in a VoiceAgent's status. Pure.
import type { Capacity, Region } from '@voicefleet/api';
import {
  scalePool,
  type PoolPolicy,
  type PoolScale,
  type ScaleHistory,
} from '@voicefleet/operator';
import type { NodePhase } from './pool-plan.js';

export interface LocalNodeLoad {
  phase: NodePhase;
  /** What the node last reported; undefined until its status stream is up. */
  load: { activeCalls: number; draining: boolean } | undefined;
}

/** What the fleet remembers of a pool between passes. */
export interface LocalPoolSize {
  replicas: number;
  history: ScaleHistory;
}

export function poolPolicy(
  capacity: Capacity,
  region: Pick<Region, 'minReplicas' | 'maxReplicas'>,
): PoolPolicy {
  return {
    ...capacity,
    minReplicas: region.minReplicas,
    maxReplicas: region.maxReplicas,
  };
}

/** The pool's size now, from its nodes' calls: nodes that drain or failed carry no new calls. */
export function scaleLocalPool(
  policy: PoolPolicy,
  nodes: readonly LocalNodeLoad[],
  previous: LocalPoolSize | undefined,
  now: Date,
): PoolScale {
  const serving = nodes.filter(
    (n) => (n.phase === 'ready' || n.phase === 'starting') && n.load?.draining !== true,
  );
  const calls = serving.reduce((sum, n) => sum + (n.load?.activeCalls ?? 0), 0);
  const unknownPods = serving.filter((n) => n.phase === 'ready' && n.load === undefined).length;
  return scalePool(
    {
      replicas: previous?.replicas,
      calls,
      unknownPods,
      history: previous?.history ?? { recommendations: [] },
    },
    policy,
    now,
  );
}
