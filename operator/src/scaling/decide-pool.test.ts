import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Deployment } from '@kubernetes/client-node';
import type { Capacity } from '@voicefleet/api';
import { decidePool, externalCostPatches, type PoolInput } from './decide-pool.js';
import type { MediaPod } from './pool-load.js';

const capacity: Capacity = {
  callsPerPod: 50,
  bufferCalls: 10,
  bufferPercent: 0,
  scaleDownStabilizationSeconds: 0,
  scaling: 'operator',
};
const now = new Date('2026-03-01T10:00:00Z');
const deployment = (replicas: number, ready = replicas): V1Deployment => ({
  spec: { replicas, selector: {}, template: {} },
  status: { readyReplicas: ready, replicas },
});
const pod = (i: number, calls: number | undefined, cost = 0): MediaPod => ({
  key: `ns/p${i}`,
  ready: true,
  terminating: false,
  deletionCost: cost,
  ...(calls === undefined ? {} : { load: { activeCalls: calls, capacity: 50, draining: false } }),
});

function input(patch: Partial<PoolInput>): PoolInput {
  return {
    region: { name: 'us-east-1', minReplicas: 1, maxReplicas: 8 },
    capacity,
    deployment: deployment(1),
    pods: [pod(0, 0)],
    live: undefined,
    now,
    ...patch,
  };
}

describe('decidePool', () => {
  it('scales up the moment the calls eat into the buffer, with an Event saying why', () => {
    const d = decidePool(input({ deployment: deployment(2), pods: [pod(0, 45), pod(1, 46)] }));
    assert.equal(d.replicas, 3);
    assert.deepEqual(d.scaled, { region: 'us-east-1', from: 2, to: 3 });
    assert.equal(d.events[0]?.reason, 'ScaledUp');
    assert.match(
      d.events[0]?.message ?? '',
      /2 -> 3 media pods \(91 calls \+ buffer ask for 3 pods of 50\)/,
    );
    assert.equal(d.status.lastScaleUpTime, '2026-03-01T10:00:00.000Z');
    assert.equal(d.status.activeCalls, 91);
    assert.equal(d.status.capacity, 100);
  });

  it('takes a hand edit of replicas for drift: back to the size it decided, at once', () => {
    const live = {
      name: 'us-east-1',
      desiredReplicas: 1,
      readyReplicas: 1,
      activeCalls: 0,
      capacity: 50,
    };
    const d = decidePool(
      input({
        deployment: deployment(4),
        live,
        capacity: { ...capacity, scaleDownStabilizationSeconds: 300 },
      }),
    );
    assert.equal(d.replicas, 1);
    assert.equal(d.status.limited, undefined, 'no stabilization for a size it never chose');
  });

  it('before a scale-down, makes each pod’s deletion cost its calls and keeps the size', () => {
    const pods = [pod(0, 40), pod(1, 30), pod(2, 20), pod(3, 10)];
    const d = decidePool(
      input({ deployment: deployment(4), pods, capacity: { ...capacity, callsPerPod: 200 } }),
    );
    assert.equal(d.replicas, 4, 'the size waits for the costs');
    assert.deepEqual(
      d.costPatches.map((p) => p.cost),
      [40, 30, 20, 10],
    );
    assert.equal(d.events.length, 0);
    assert.equal(d.requeueAfterMs, 1000);
    assert.equal(
      d.status.lastScaleDownTime,
      undefined,
      'no step taken: the rate limit is not spent',
    );
  });

  it('scales down once the costs mark the emptiest pods: 4 -> 1 with 100 calls and 200 per pod', () => {
    const pods = [pod(0, 25, 25), pod(1, 25, 25), pod(2, 25, 25), pod(3, 25, 25)];
    const d = decidePool(
      input({ deployment: deployment(4), pods, capacity: { ...capacity, callsPerPod: 200 } }),
    );
    assert.equal(d.replicas, 1);
    assert.deepEqual(d.costPatches, []);
    assert.equal(d.events[0]?.reason, 'ScaledDown');
    assert.match(
      d.events[0]?.message ?? '',
      /4 -> 1 media pods .* the removed pods drain their calls/,
    );
  });

  it('counts calls on draining pods in the region’s calls but not in what the pool must hold', () => {
    const draining: MediaPod = { ...pod(1, 30), terminating: true, ready: false };
    const d = decidePool(input({ deployment: deployment(1), pods: [pod(0, 5), draining] }));
    assert.equal(d.replicas, 1);
    assert.equal(d.status.activeCalls, 35);
    assert.equal(d.status.drainingCalls, 30);
  });

  it('keeps its memory in status: a stabilizing pool reports the sizes wanted in the window', () => {
    const d = decidePool(
      input({
        deployment: deployment(3),
        pods: [pod(0, 5), pod(1, 0), pod(2, 0)],
        capacity: { ...capacity, scaleDownStabilizationSeconds: 120 },
      }),
    );
    assert.equal(d.replicas, 3);
    assert.equal(d.status.limited, 'Stabilizing');
    assert.deepEqual(d.status.recommendations, [
      { time: '2026-03-01T10:00:00.000Z', replicas: 3 },
      { time: '2026-03-01T10:00:00.000Z', replicas: 1 },
    ]);
    const later = decidePool(
      input({
        deployment: deployment(3),
        pods: [pod(0, 5, 5), pod(1, 0), pod(2, 0)],
        capacity: { ...capacity, scaleDownStabilizationSeconds: 120 },
        live: d.status,
        now: new Date(now.getTime() + 120_000),
      }),
    );
    assert.equal(later.replicas, 1);
  });

  it('with scaling external: writes no replicas, reports the Deployment’s, keeps costs current', () => {
    const d = decidePool(
      input({
        capacity: { ...capacity, scaling: 'external' },
        deployment: deployment(3),
        pods: [pod(0, 0, 0), pod(1, 20, 0), pod(2, 40, 38)],
      }),
    );
    assert.equal(d.replicas, undefined);
    assert.equal(d.status.desiredReplicas, 3);
    assert.equal(d.status.limited, 'External');
    assert.deepEqual(d.costPatches, [{ key: 'ns/p1', cost: 20 }]);
    assert.deepEqual(d.events, []);
  });
});

describe('externalCostPatches', () => {
  it('moves a cost when a pod turns busy or empty, or drifts by a tenth of callsPerPod', () => {
    const pods = [pod(0, 1, 0), pod(1, 0, 3), pod(2, 14, 10), pod(3, 15, 10)];
    assert.deepEqual(
      externalCostPatches(pods, 50).map((p) => p.key),
      ['ns/p0', 'ns/p1', 'ns/p3'],
    );
  });
});
