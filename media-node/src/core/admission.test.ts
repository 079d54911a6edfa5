import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideInvite, optionsStatus } from './admission.js';

void test('admission: accepts below capacity, refuses when full or draining with Retry-After', () => {
  const cases = [
    { state: { activeCalls: 0, maxCalls: 2, draining: false }, kind: 'accept', options: 200 },
    { state: { activeCalls: 1, maxCalls: 2, draining: false }, kind: 'accept', options: 200 },
    {
      state: { activeCalls: 2, maxCalls: 2, draining: false },
      kind: 'reject',
      reason: 'full',
      options: 503,
    },
    {
      state: { activeCalls: 0, maxCalls: 2, draining: true },
      kind: 'reject',
      reason: 'draining',
      options: 503,
    },
    {
      state: { activeCalls: 0, maxCalls: 0, draining: false },
      kind: 'reject',
      reason: 'full',
      options: 503,
    },
  ] as const;
  for (const c of cases) {
    const decision = decideInvite(c.state);
    assert.equal(decision.kind, c.kind, JSON.stringify(c.state));
    if (decision.kind === 'reject') {
      assert.equal(decision.status, 503);
      assert.equal(decision.reason, 'reason' in c ? c.reason : undefined);
      assert.ok(decision.retryAfterSeconds > 0);
    }
    assert.equal(optionsStatus(c.state), c.options);
  }
});
