import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeConditions, sameConditions, setCondition, type Condition } from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const ready: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'PodsReady',
  message: 'all pods ready',
  observedGeneration: 1,
  lastTransitionTime: t0.toISOString(),
};

describe('setCondition', () => {
  const cases: { name: string; status: 'True' | 'False'; expectTime: string }[] = [
    {
      name: 'keeps the transition time when the status is unchanged',
      status: 'True',
      expectTime: t0.toISOString(),
    },
    {
      name: 'moves the transition time when the status changes',
      status: 'False',
      expectTime: t1.toISOString(),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = setCondition(
        [ready],
        { ...ready, status: c.status, reason: 'X', observedGeneration: 2 },
        t1,
      );
      assert.equal(out.length, 1);
      assert.equal(out[0]?.lastTransitionTime, c.expectTime);
      assert.equal(out[0]?.observedGeneration, 2);
    });
  }

  it('adds a new condition type with the current time and keeps the others', () => {
    const out = setCondition(
      [ready],
      { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' },
      t1,
    );
    assert.deepEqual(
      out.map((c) => [c.type, c.lastTransitionTime]),
      [
        ['Ready', t0.toISOString()],
        ['Degraded', t1.toISOString()],
      ],
    );
  });
});

describe('sameConditions', () => {
  it('ignores order and sees a changed message', () => {
    const both = mergeConditions([], [ready, { ...ready, type: 'Degraded', status: 'False' }], t0);
    assert.ok(sameConditions(both, [...both].reverse()));
    assert.ok(!sameConditions(both, setCondition(both, { ...ready, message: 'other' }, t0)));
  });
});
