// A pool of 4 media pods with 100 calls in progress scales down to 1 as the calls end, removing
// the emptiest pods one step at a time, and drops none: every call ends by the caller's own BYE.
// The policy's knobs are proven against the real API server and kube-controller-manager, not only
// in the scaler's table: bufferPercent decides the call at which each pod starts,
// scaleDownStabilizationSeconds and scaleDownLimit pace the way down, scaleUpLimit the way up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@voicefleet/devtools/processes';
import { wantedReplicas } from '../operator/src/scaling/pool-scaler.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { AutoscaleRig, ReplicaTimeline, hangUpByCaller } from './harness/autoscale-rig.js';
import type { RunningPod } from './harness/loopback-kubelet.js';
import type { TestCaller } from './media-node-caller.js';

const CALLS_PER_POD = 25;
const CALLS = 100;
const POLICY = {
  callsPerPod: CALLS_PER_POD,
  bufferCalls: 2,
  bufferPercent: 20,
  minReplicas: 1,
  maxReplicas: 4,
  scaleDownStabilizationSeconds: 5,
};
const DOWN_PERIOD_S = 4;
const UP_PERIOD_S = 3;
/** Step times in status are whole seconds: a period may end up to a second early. */
const SECOND_MS = 1000;

describe(
  'scale-down of a busy pool with real media pods',
  { skip: controlPlaneSkipReason(), timeout: 420_000 },
  () => {
    let rig: AutoscaleRig;
    const calls = new Map<RunningPod, TestCaller[]>();
    const dropped: string[] = [];

    before(async () => {
      rig = await AutoscaleRig.start({
        agent: 'hundred-calls',
        callsPerPod: CALLS_PER_POD,
        drainSeconds: 120,
        subnet: 11,
      });
    });
    after(async () => {
      await rig?.stop();
    });

    const expectedPods = (n: number): number =>
      Math.min(POLICY.maxReplicas, Math.max(POLICY.minReplicas, wantedReplicas(n, POLICY)));
    const podCount = async (): Promise<number> =>
      (await rig.podObjects()).filter((p) => p.metadata?.deletionTimestamp === undefined).length;
    async function endCall(c: TestCaller): Promise<void> {
      const why = await hangUpByCaller(c);
      if (why !== undefined) dropped.push(why);
    }

    test('100 calls start a pod exactly when they and the percent buffer outgrow the pool', async () => {
      await rig.createAgent({
        minReplicas: POLICY.minReplicas,
        maxReplicas: POLICY.maxReplicas,
        bufferCalls: POLICY.bufferCalls,
        capacity: {
          bufferPercent: POLICY.bufferPercent,
          scaleDownStabilizationSeconds: POLICY.scaleDownStabilizationSeconds,
          scaleDownLimit: { pods: 1, periodSeconds: DOWN_PERIOD_S },
        },
      });
      await waitFor(async () => (await rig.region())?.capacity === CALLS_PER_POD, {
        timeoutMs: 60_000,
        message: 'one ready media pod whose capacity the operator knows',
      });
      const startedAt: number[] = [];
      for (let n = 1; n <= CALLS; n++) {
        // Like the edge's call-load dispatcher: the ready pod with the fewest calls.
        const pod = await waitFor(
          () =>
            rig
              .podsAlive()
              .filter((p) => p.readyAt !== undefined && (calls.get(p)?.length ?? 0) < CALLS_PER_POD)
              .sort((a, b) => (calls.get(a)?.length ?? 0) - (calls.get(b)?.length ?? 0))[0],
          { timeoutMs: 60_000, message: `a ready pod with room for call ${n}` },
        );
        const before = await podCount();
        assert.equal(before, expectedPods(n - 1), `pods before call ${n}`);
        calls.set(pod, [...(calls.get(pod) ?? []), await rig.call(pod)]);
        if (expectedPods(n) > before) {
          const breached = Date.now();
          await waitFor(async () => (await podCount()) === expectedPods(n), {
            timeoutMs: 5000,
            intervalMs: 100,
            message: `a pod created within 5 s of call ${n} breaching the buffer`,
          });
          startedAt.push(n);
          assert.ok(Date.now() - breached < 5000);
        }
      }
      // 20 % of 21 calls is 5 > 2: the second pod starts at call 21 (at 24 with the 2 calls alone).
      assert.deepEqual(startedAt, [21, 42, 63], 'calls at which a pod started');
      const full = await waitFor(
        async () => {
          const r = await rig.region();
          return r?.activeCalls === CALLS ? r : undefined;
        },
        { timeoutMs: 15_000, message: 'status counts 100 calls' },
      );
      assert.equal(full.desiredReplicas, 4);
      assert.equal(full.limited, 'MaxReplicas', '100 calls + 20 buffer would ask for 5 pods');
      assert.deepEqual(
        [...calls.values()].map((c) => c.length),
        [25, 25, 25, 25],
      );
    });

    test('as calls end the pool goes 4 -> 1 one pod per period after the window, dropping none', async () => {
      const [keep, ...others] = [...calls.keys()];
      assert.ok(keep !== undefined && others.length === 3);
      const timeline = await ReplicaTimeline.start(rig);
      // Leave 9 calls on the first pod and 1 on each other: 12 calls + a buffer of 3 fit one pod.
      let live = CALLS;
      let fewerWantedAt: number | undefined;
      const hangUp = async (pod: RunningPod, leave: number): Promise<void> => {
        const list = calls.get(pod) ?? [];
        while (list.length > leave) {
          const c = list.pop();
          if (c !== undefined) await endCall(c);
          live--;
          if (fewerWantedAt === undefined && expectedPods(live) < 4) fewerWantedAt = Date.now();
        }
      };
      for (const pod of others) await hangUp(pod, 1);
      await hangUp(keep, 9);
      assert.equal(live, 12);
      assert.ok(fewerWantedAt !== undefined);

      await waitFor(() => rig.podsAlive().length === 1, {
        timeoutMs: 60_000,
        message: 'the pool down to one running pod',
      });
      timeline.stop();
      const steps = timeline.changes.slice(1); // the first entry is where it started
      assert.deepEqual(
        [timeline.changes[0]?.replicas, ...steps.map((s) => s.replicas)],
        [4, 3, 2, 1],
        'one pod per step (scaleDownLimit)',
      );
      const first = steps[0]?.atMs ?? 0;
      assert.ok(
        first - fewerWantedAt >= POLICY.scaleDownStabilizationSeconds * 1000 - SECOND_MS,
        `first scale-down ${first - fewerWantedAt} ms after fewer pods would do (window 5 s)`,
      );
      for (let i = 1; i < steps.length; i++) {
        const gap = (steps[i]?.atMs ?? 0) - (steps[i - 1]?.atMs ?? 0);
        assert.ok(
          gap >= DOWN_PERIOD_S * 1000 - SECOND_MS,
          `scale-down steps ${gap} ms apart (scaleDownLimit period ${DOWN_PERIOD_S} s)`,
        );
      }
      assert.equal(keep.deletedAt, undefined, 'the busiest pod stays');

      // Each removed pod drains with its one call still up, and exits once the caller hung up.
      for (const pod of others) {
        assert.ok(pod.deletedAt !== undefined, `${pod.name} removed`);
        await waitFor(async () => (await pod.node.http('GET', '/readyz')).status === 503, {
          timeoutMs: 15_000,
          message: `${pod.name} drains`,
        });
        assert.equal(pod.exitedAt, undefined, `${pod.name} waits for its call`);
        await hangUp(pod, 0);
        assert.equal(await pod.node.exitCode, 0, `${pod.name} exits by itself once empty`);
      }
      await hangUp(keep, 0);
      assert.equal(live, 0);
      assert.deepEqual(dropped, [], 'every one of the 100 calls ended by its own BYE');
    });

    test('scaleUpLimit adds one pod per period when the minimum jumps from 1 to 4', async () => {
      const timeline = await ReplicaTimeline.start(rig);
      await rig.cr.patch('voiceagents', rig.o.agent, {
        spec: {
          regions: [{ name: 'local', minReplicas: 4, maxReplicas: POLICY.maxReplicas }],
          capacity: { scaleUpLimit: { pods: 1, periodSeconds: UP_PERIOD_S } },
        },
      });
      await waitFor(async () => (await rig.replicas()) === 4, {
        timeoutMs: 30_000,
        message: 'the pool up to the new minimum',
      });
      timeline.stop();
      assert.deepEqual(
        timeline.changes.map((s) => s.replicas),
        [1, 2, 3, 4],
        'one pod per step (scaleUpLimit)',
      );
      for (let i = 2; i < timeline.changes.length; i++) {
        const gap = (timeline.changes[i]?.atMs ?? 0) - (timeline.changes[i - 1]?.atMs ?? 0);
        assert.ok(
          gap >= UP_PERIOD_S * 1000 - SECOND_MS,
          `scale-up steps ${gap} ms apart (scaleUpLimit period ${UP_PERIOD_S} s)`,
        );
      }
    });
  },
);
