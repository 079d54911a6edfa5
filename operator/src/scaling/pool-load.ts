// A pool's load as the scaler and the status see it, from its pods and what each reported. Pure.
import type { PodLoad } from './pod-load-tracker.js';

/** One media pod of a pool, as gathered from the pod cache and the load tracker. */
export interface MediaPod {
  /** `namespace/name` */
  key: string;
  /** The Ready condition is True (the pod answers /readyz: up and not draining). */
  ready: boolean;
  /** Being deleted: draining its calls, taking no new ones. */
  terminating: boolean;
  /** `controller.kubernetes.io/pod-deletion-cost` as it stands on the pod (0 when absent). */
  deletionCost: number;
  /** Its last reported status; undefined while unknown. */
  load?: PodLoad | undefined;
}

export interface PoolLoad {
  /** Calls on pods that are not draining: what the pool's serving capacity must hold. */
  calls: number;
  /** Calls on draining pods: they finish there. */
  drainingCalls: number;
  /** Ready pods, not draining, whose calls are unknown. */
  unknownPods: number;
  /** Calls the ready pods that are not draining can take in total. */
  capacity: number;
  /** Pods draining (deleted, or told to drain) that still report calls or are still there. */
  drainingPods: number;
}

/** A pod that takes no new calls: being deleted, or draining by its own report. */
export const isDraining = (pod: MediaPod): boolean =>
  pod.terminating || pod.load?.draining === true;

export function poolLoad(pods: readonly MediaPod[], callsPerPod: number): PoolLoad {
  const out: PoolLoad = {
    calls: 0,
    drainingCalls: 0,
    unknownPods: 0,
    capacity: 0,
    drainingPods: 0,
  };
  for (const pod of pods) {
    const calls = pod.load?.activeCalls ?? 0;
    if (isDraining(pod)) {
      out.drainingCalls += calls;
      out.drainingPods++;
      continue;
    }
    out.calls += calls;
    if (!pod.ready) continue;
    if (pod.load === undefined) out.unknownPods++;
    out.capacity += pod.load?.capacity ?? callsPerPod;
  }
  return out;
}
