/**
 * The test kit's checks of status conditions: `hasCondition` for a waitFor predicate, and
 * `expectCondition`, whose failure shows every condition the object has.
 */
import assert from 'node:assert/strict';

export interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ExpectedCondition {
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  /** Matched against the condition's message. */
  message?: RegExp;
}

type WithConditions = { status?: { conditions?: readonly ConditionLike[] } } | undefined;

function matches(c: ConditionLike | undefined, e: ExpectedCondition): boolean {
  return (
    c !== undefined &&
    c.status === e.status &&
    (e.reason === undefined || c.reason === e.reason) &&
    (e.message === undefined || e.message.test(c.message ?? ''))
  );
}

/** Whether the object has condition `type` as expected. */
export function hasCondition(
  obj: WithConditions,
  type: string,
  expected: ExpectedCondition,
): boolean {
  return matches(
    obj?.status?.conditions?.find((c) => c.type === type),
    expected,
  );
}

/** Asserts condition `type` is as expected and returns it. */
export function expectCondition(
  obj: WithConditions,
  type: string,
  expected: ExpectedCondition,
): ConditionLike {
  const all = obj?.status?.conditions ?? [];
  const found = all.find((c) => c.type === type);
  assert.ok(
    matches(found, expected),
    `condition ${type}: expected ${JSON.stringify({ ...expected, message: expected.message?.source })}, ` +
      `the object has ${JSON.stringify(all, null, 1)}`,
  );
  return found!;
}
