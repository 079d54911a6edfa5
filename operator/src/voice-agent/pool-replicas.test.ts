import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolReplicas } from './pool-replicas.js';

describe('poolReplicas', () => {
  const policy = { callsPerPod: 50, bufferCalls: 10, minReplicas: 1, maxReplicas: 4 };
  const cases: [string, number, Partial<typeof policy>, number][] = [
    ['keeps the minimum when idle', 0, {}, 1],
    ['adds a pod when calls plus buffer exceed one pod', 41, {}, 2],
    ['stops at the maximum', 1000, {}, 4],
    ['runs no pod with min 0 and no buffer', 0, { minReplicas: 0, bufferCalls: 0 }, 0],
  ];
  for (const [name, calls, override, want] of cases) {
    it(name, () => assert.equal(poolReplicas(calls, { ...policy, ...override }), want));
  }
});
