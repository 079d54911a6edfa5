import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MediaPod } from './pool-load.js';
import { needsPodsNow, type PoolUrgencyInput } from './needs-pods-now.js';

const pod = (calls: number, o: Partial<MediaPod> = {}): MediaPod => ({
  key: `ns/p${calls}-${Math.random()}`,
  ready: true,
  terminating: false,
  deletionCost: 0,
  load: { activeCalls: calls, capacity: 10, draining: false },
  ...o,
});

const input = (o: Partial<PoolUrgencyInput>): PoolUrgencyInput => ({
  capacity: { callsPerPod: 10, bufferCalls: 5, bufferPercent: 0, scaling: 'operator' },
  maxReplicas: 12,
  desiredReplicas: 1,
  pods: [],
  ...o,
});

test('needsPodsNow: the calls and the buffer against the size last decided', () => {
  const table: [string, Partial<PoolUrgencyInput>, boolean][] = [
    ['5 calls + 5 buffer fill one pod of 10', { pods: [pod(5)] }, false],
    ['6 calls + 5 buffer ask for a second pod', { pods: [pod(6)] }, true],
    ['already decided 2', { pods: [pod(6)], desiredReplicas: 2 }, false],
    ['calls over two pods count together', { pods: [pod(8), pod(8)], desiredReplicas: 2 }, true],
    ['calls on a draining pod need no new room', { pods: [pod(3), pod(9, { terminating: true })] }, false], // prettier-ignore
    ['at maxReplicas nothing more is asked', { pods: [pod(10), pod(10)], desiredReplicas: 2, maxReplicas: 2 }, false], // prettier-ignore
    ['bufferPercent counts', { pods: [pod(5)], capacity: { callsPerPod: 10, bufferCalls: 0, bufferPercent: 200, scaling: 'operator' } }, true], // prettier-ignore
    ['external scaling is not ours', { pods: [pod(9)], capacity: { callsPerPod: 10, bufferCalls: 5, bufferPercent: 0, scaling: 'external' } }, false], // prettier-ignore
    ['before the first decision the pass comes anyway', { pods: [pod(9)], desiredReplicas: undefined }, false], // prettier-ignore
  ];
  for (const [name, o, want] of table) assert.equal(needsPodsNow(input(o)), want, name);
});
