// Status conditions (metav1.Condition shape): pure helpers to set, merge and compare them.
// `lastTransitionTime` only moves when `status` changes, so a steady reconcile writes nothing.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** A condition as a decision states it: without a transition time (the merge assigns it). */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Returns `existing` with `next` set: the transition time is kept when the status is unchanged,
 * set to `now` otherwise. Other condition types are kept as they are.
 */
export function setCondition(
  existing: readonly Condition[],
  next: ConditionInput,
  now: Date,
): Condition[] {
  const previous = existing.find((c) => c.type === next.type);
  const lastTransitionTime =
    previous !== undefined && previous.status === next.status
      ? previous.lastTransitionTime
      : now.toISOString();
  const merged: Condition = { ...next, lastTransitionTime };
  const out = existing.filter((c) => c.type !== next.type);
  out.push(merged);
  return out;
}

/** Sets every condition in `next`, in order. */
export function mergeConditions(
  existing: readonly Condition[],
  next: readonly ConditionInput[],
  now: Date,
): Condition[] {
  let out = [...existing];
  for (const c of next) out = setCondition(out, c, now);
  return out;
}

/** Keeps only the conditions of the given types (those this field manager owns). */
export function pickConditions(
  conditions: readonly Condition[],
  types: readonly string[],
): Condition[] {
  return conditions.filter((c) => types.includes(c.type));
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when both lists hold the same conditions (order-insensitive, every field compared). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => {
    const y = b.find((c) => c.type === x.type);
    return (
      y !== undefined &&
      y.status === x.status &&
      y.reason === x.reason &&
      y.message === x.message &&
      y.observedGeneration === x.observedGeneration &&
      y.lastTransitionTime === x.lastTransitionTime
    );
  });
}
