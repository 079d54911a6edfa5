// One media pool's scaling decision: its size, the pod-deletion-cost patches that make a
// scale-down remove the emptiest pods, its status (calls, capacity, why the size is limited), an
// Event when the size changes, and when to look again. Pure. With `capacity.scaling: external`
// the size is someone else's (an HPA, KEDA): the operator reports it and keeps the costs current.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Capacity, Region, RegionStatus } from '@voicefleet/api';
import type { EventSpec } from '../kube/events.js';
import { deletionCostPatches, removalPicksEmptiest, type CostPatch } from './pod-deletion-cost.js';
import { poolLoad, type MediaPod } from './pool-load.js';
import { scalePool, type ScaleHistory } from './pool-scaler.js';

export interface PoolInput {
  region: Pick<Region, 'name' | 'minReplicas' | 'maxReplicas'>;
  capacity: Capacity;
  /** The pool's Deployment as cached; undefined before it exists. */
  deployment: V1Deployment | undefined;
  pods: readonly MediaPod[];
  /** This region's status as last written (the scaler's memory). */
  live: RegionStatus | undefined;
  now: Date;
}

/** A size change the operator makes. */
export interface ScaleStep {
  region: string;
  from: number;
  to: number;
}

export interface PoolDecision {
  /** The Deployment's replicas; undefined when the operator must not write them (external). */
  replicas: number | undefined;
  status: RegionStatus;
  costPatches: CostPatch[];
  /** The size change made, if any, with its Event. */
  scaled?: ScaleStep;
  events: EventSpec[];
  requeueAfterMs?: number;
}

/** How soon to look again while pod-deletion-costs are being set for a scale-down. */
export const COST_SETTLE_MS = 1000;

export function decidePool(input: PoolInput): PoolDecision {
  const { region, capacity, deployment, pods } = input;
  const load = poolLoad(pods, capacity.callsPerPod);
  // The size the operator last decided (kept in status), not the Deployment's: a hand edit of
  // replicas is drift to repair, not a size to scale from. An external scaler's size is its own.
  const current =
    deployment === undefined
      ? undefined
      : capacity.scaling === 'external'
        ? deployment.spec?.replicas
        : (input.live?.desiredReplicas ?? deployment.spec?.replicas);
  const base = {
    name: region.name,
    readyReplicas: deployment?.status?.readyReplicas ?? 0,
    activeCalls: load.calls + load.drainingCalls,
    drainingCalls: load.drainingCalls,
    capacity: load.capacity,
  };

  if (capacity.scaling === 'external') {
    const replicas = current ?? 0;
    return {
      replicas: undefined,
      status: {
        ...base,
        desiredReplicas: replicas,
        limited: 'External',
        scaleReason: `capacity.scaling is external: ${replicas} pods as set by the Deployment's scaler`,
      },
      costPatches: externalCostPatches(pods, capacity.callsPerPod),
      events: [],
    };
  }

  const history: ScaleHistory = {
    recommendations: input.live?.recommendations ?? [],
    lastScaleUpTime: input.live?.lastScaleUpTime,
    lastScaleDownTime: input.live?.lastScaleDownTime,
  };
  const scale = scalePool(
    { replicas: current, calls: load.calls, unknownPods: load.unknownPods, history },
    { ...capacity, ...region },
    input.now,
  );
  let replicas = scale.replicas;
  let next = scale.history;
  let reason = scale.reason;
  let costPatches: CostPatch[] = [];
  let requeueAfterMs = scale.requeueAfterMs;
  const events: EventSpec[] = [];

  if (current !== undefined && replicas < current) {
    if (!removalPicksEmptiest(pods, current - replicas)) {
      // Not yet: first make each pod's cost its calls, then remove (the pods' update brings us back).
      costPatches = deletionCostPatches(pods);
      reason = `${reason}; marking the emptiest pods for removal first`;
      replicas = current;
      next = { ...next, lastScaleDownTime: history.lastScaleDownTime };
      requeueAfterMs = COST_SETTLE_MS;
    } else {
      events.push({
        type: 'Normal',
        reason: 'ScaledDown',
        message: `region ${region.name}: ${current} -> ${replicas} media pods (${reason}); the removed pods drain their calls`,
      });
    }
  } else if (current !== undefined && replicas > current) {
    events.push({
      type: 'Normal',
      reason: 'ScaledUp',
      message: `region ${region.name}: ${current} -> ${replicas} media pods (${reason})`,
    });
  }
  return {
    replicas,
    status: {
      ...base,
      desiredReplicas: replicas,
      ...(scale.limited !== undefined ? { limited: scale.limited } : {}),
      scaleReason: reason,
      ...(next.recommendations.length > 0 ? { recommendations: next.recommendations } : {}),
      ...(next.lastScaleUpTime !== undefined ? { lastScaleUpTime: next.lastScaleUpTime } : {}),
      ...(next.lastScaleDownTime !== undefined
        ? { lastScaleDownTime: next.lastScaleDownTime }
        : {}),
    },
    costPatches,
    ...(current !== undefined && replicas !== current
      ? { scaled: { region: region.name, from: current, to: replicas } }
      : {}),
    events,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}

/**
 * With an external scaler the operator cannot know when pods will be removed, so the costs follow
 * the calls all the time, in steps: a cost moves when a pod turns empty or busy, or drifts by a
 * tenth of callsPerPod. Fewer pod writes; the ReplicaSet still picks among the emptiest.
 */
export function externalCostPatches(pods: readonly MediaPod[], callsPerPod: number): CostPatch[] {
  const step = Math.max(1, Math.ceil(callsPerPod / 10));
  return deletionCostPatches(pods).filter((patch) => {
    const pod = pods.find((p) => p.key === patch.key);
    const was = pod?.deletionCost ?? 0;
    return (was === 0) !== (patch.cost === 0) || Math.abs(was - patch.cost) >= step;
  });
}
