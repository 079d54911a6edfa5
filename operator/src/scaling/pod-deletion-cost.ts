// Which pods a scale-down removes. A Deployment's ReplicaSet picks the pods it deletes itself:
// not-ready ones first, then the lowest `controller.kubernetes.io/pod-deletion-cost`, then by
// rules of its own. So before the operator lowers replicas, each pod's cost is made its live call
// count, and the replicas only go down once the pods the ReplicaSet would pick hold no more calls
// than the emptiest ones (ties included). Pure.
import { isDraining, type MediaPod } from './pool-load.js';

export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

export interface CostPatch {
  /** `namespace/name` */
  key: string;
  cost: number;
}

/** The pod-deletion-cost a pod should carry: its calls (unknown: left as it is). */
export function desiredCost(pod: MediaPod): number | undefined {
  return pod.load?.activeCalls;
}

/** Patches that make every serving pod's cost its live call count. */
export function deletionCostPatches(pods: readonly MediaPod[]): CostPatch[] {
  return pods.flatMap((pod) => {
    const cost = desiredCost(pod);
    if (isDraining(pod) || cost === undefined || cost === pod.deletionCost) return [];
    return [{ key: pod.key, cost }];
  });
}

const callsOf = (pod: MediaPod): number => pod.load?.activeCalls ?? 0;

/**
 * Whether removing `count` pods now would take the emptiest ones: the calls on the pods the
 * ReplicaSet would pick in the worst case (equal costs broken against us) are no more than on the
 * `count` emptiest pods.
 */
export function removalPicksEmptiest(pods: readonly MediaPod[], count: number): boolean {
  const serving = pods.filter((p) => !isDraining(p));
  if (count <= 0 || serving.length === 0) return true;
  const unready = (p: MediaPod): number => (p.ready ? 1 : 0);
  const worst = [...serving]
    .sort(
      (a, b) =>
        unready(a) - unready(b) || a.deletionCost - b.deletionCost || callsOf(b) - callsOf(a),
    )
    .slice(0, count);
  const best = [...serving]
    .sort((a, b) => unready(a) - unready(b) || callsOf(a) - callsOf(b))
    .slice(0, count);
  const sum = (list: MediaPod[]): number => list.reduce((n, p) => n + callsOf(p), 0);
  return sum(worst) <= sum(best);
}
