import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolPolicy, scaleLocalPool, type LocalNodeLoad } from './local-scaling.js';

const policy = poolPolicy(
  {
    callsPerPod: 10,
    bufferCalls: 2,
    bufferPercent: 0,
    scaleDownStabilizationSeconds: 5,
    scaling: 'operator',
  },
  { minReplicas: 1, maxReplicas: 3 },
);
const T0 = new Date('2026-01-01T12:00:00Z');
const later = (s: number) => new Date(T0.getTime() + s * 1000);
const ready = (activeCalls: number, draining = false): LocalNodeLoad => ({
  phase: 'ready',
  load: { activeCalls, draining },
});
const none = { recommendations: [] };

describe('scaleLocalPool', () => {
  it('starts a pool at its minimum plus buffer before any node runs', () => {
    assert.equal(scaleLocalPool(policy, [], undefined, T0).replicas, 1);
  });

  it('adds a node the moment the calls eat into the buffer', () => {
    const prev = { replicas: 1, history: none };
    assert.equal(scaleLocalPool(policy, [ready(8)], prev, T0).replicas, 1);
    assert.equal(scaleLocalPool(policy, [ready(9)], prev, T0).replicas, 2);
  });

  it('counts no calls of a draining node: they end where they are', () => {
    const prev = { replicas: 1, history: none };
    const nodes = [ready(9, true), ready(1)];
    assert.equal(scaleLocalPool(policy, nodes, prev, T0).replicas, 1);
  });

  it('removes a node only after the stabilization window, never while a ready one is unknown', () => {
    const prev = { replicas: 2, history: none };
    const unknown: LocalNodeLoad = { phase: 'ready', load: undefined };
    const waiting = scaleLocalPool(policy, [ready(1), unknown], prev, T0);
    assert.equal(waiting.replicas, 2);
    assert.equal(waiting.limited, 'LoadUnknown');
    const first = scaleLocalPool(policy, [ready(1), ready(0)], prev, T0);
    assert.equal(first.replicas, 2);
    assert.equal(first.limited, 'Stabilizing');
    const after = scaleLocalPool(
      policy,
      [ready(1), ready(0)],
      { replicas: 2, history: first.history },
      later(5),
    );
    assert.equal(after.replicas, 1);
  });
});
