import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deletionCostPatches, removalPicksEmptiest } from './pod-deletion-cost.js';
import type { MediaPod } from './pool-load.js';

const pod = (
  key: string,
  calls: number | undefined,
  cost = 0,
  over: Partial<MediaPod> = {},
): MediaPod => ({
  key,
  ready: true,
  terminating: false,
  deletionCost: cost,
  ...(calls === undefined ? {} : { load: { activeCalls: calls, capacity: 50, draining: false } }),
  ...over,
});

describe('deletionCostPatches', () => {
  it('sets each serving pod’s cost to its calls, and leaves alone what already matches', () => {
    assert.deepEqual(deletionCostPatches([pod('a', 3, 3), pod('b', 0, 5), pod('c', 12)]), [
      { key: 'b', cost: 0 },
      { key: 'c', cost: 12 },
    ]);
  });
  it('does not touch draining pods or pods whose calls are unknown', () => {
    assert.deepEqual(
      deletionCostPatches([pod('a', 3, 0, { terminating: true }), pod('b', undefined, 9)]),
      [],
    );
  });
});

describe('removalPicksEmptiest', () => {
  const cases: [string, MediaPod[], number, boolean][] = [
    ['costs that match the calls: yes', [pod('a', 25, 25), pod('b', 3, 3), pod('c', 40, 40)], 1, true],
    ['no costs yet, calls unequal: no (the ReplicaSet may pick the busiest)', [pod('a', 25), pod('b', 3)], 1, false],
    ['no costs, no calls: yes (any pod is as empty)', [pod('a', 0), pod('b', 0)], 1, true],
    ['stale costs that name the busy pod: no', [pod('a', 30, 0), pod('b', 0, 30)], 1, false],
    ['equal costs over unequal calls: no', [pod('a', 25, 25), pod('b', 20, 25), pod('c', 60, 60)], 1, false],
    ['a starting pod goes first and holds nothing: yes', [pod('a', 25, 25), pod('b', 0, 0, { ready: false })], 1, true],
    ['three of four at 25 calls each, costs set: yes', [pod('a', 25, 25), pod('b', 25, 25), pod('c', 25, 25), pod('d', 25, 25)], 3, true],
  ]; // prettier-ignore
  for (const [name, pods, count, want] of cases) {
    it(name, () => assert.equal(removalPicksEmptiest(pods, count), want));
  }
});
