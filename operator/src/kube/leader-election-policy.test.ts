import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decideLeaseAction,
  mustStepDown,
  observe,
  type LeaseView,
} from './leader-election-policy.js';

const lease = (holder: string, resourceVersion = '10'): LeaseView => ({
  holder,
  leaseDurationSeconds: 15,
  resourceVersion,
});

test('lease actions for every state a candidate meets', () => {
  const seen = { resourceVersion: '10', seenAt: 1_000 };
  const table: [string, LeaseView | undefined, number, string][] = [
    ['no lease yet', undefined, 1_000, 'create'],
    ['we hold it', lease('me'), 1_000, 'renew'],
    ['released by its holder', lease(''), 1_000, 'take-over'],
    ['another holder, fresh', lease('other'), 15_999, 'wait'],
    ['another holder, unchanged for a full duration', lease('other'), 16_000, 'take-over'],
    ['another holder renewed (new version) just now', lease('other', '11'), 20_000, 'wait'],
  ];
  for (const [name, view, now, expected] of table) {
    assert.equal(decideLeaseAction(view, 'me', seen, now), expected, name);
  }
});

test('an observation keeps its first-seen time until the version changes', () => {
  const first = observe(undefined, lease('other', '5'), 100);
  assert.deepEqual(observe(first, lease('other', '5'), 900), { resourceVersion: '5', seenAt: 100 });
  assert.deepEqual(observe(first, lease('other', '6'), 900), { resourceVersion: '6', seenAt: 900 });
  assert.equal(observe(first, undefined, 900), undefined);
});

test('a leader steps down once its last renewal is older than the renew deadline', () => {
  assert.equal(mustStepDown(0, 10_000, 10_000), false);
  assert.equal(mustStepDown(0, 10_001, 10_000), true);
});
