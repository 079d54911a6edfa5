// Autoscaling on calls, measured on the API-server tier (test/harness/autoscale-rig.ts): a real
// kube-apiserver and kube-controller-manager, the operator in this process, every media pod a real
// media-node process taking real SIP calls with RTP. A synthetic load rises and falls CYCLES times
// (one call at a time onto the ready pod with the fewest calls, as the edge's call-load dispatcher
// does; then the calls end round robin over the pods, so the pods a scale-down removes still hold
// calls and drain them). Measured:
//
// - scaleUpReaction: a call breaches the buffer -> the new pod object exists. Baseline in the same
//   run: the floor any autoscaler writing `replicas` has, a Deployment's replicas raised by hand
//   -> the ReplicaSet controller's new pod object (ratio = ours / floor).
// - droppedCalls: calls not ended by the caller's own BYE (the node hung up, the BYE failed, or
//   no audio was heard), across every scale-down of the run.
// - podsStartedWhileFreeSlots: pods beyond what the calls and the buffer ask for, checked after
//   every call.
// - slotUtilisation: calls / slots of ready pods, sampled every 250 ms; baseline: a static pool at
//   maxReplicas carrying the same calls (ratio = ours / static).
//
// The kwok simulation (1,000 agents, 10,000 pods) is not part of this bench yet: its fields are
// null. Writes bench/results/autoscale.json. Run: npm run bench:autoscale
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { waitFor } from '@voicefleet/devtools/processes';
import { wantedReplicas } from '../operator/src/scaling/pool-scaler.js';
import { AutoscaleRig, hangUpByCaller } from '../test/harness/autoscale-rig.js';
import type { RunningPod } from '../test/harness/loopback-kubelet.js';
import type { TestCaller } from '../test/media-node-caller.js';

const root = new URL('..', import.meta.url).pathname;
const CYCLES = Number(process.env['VOICEFLEET_BENCH_CYCLES'] ?? 2);
const POLICY = {
  callsPerPod: 4,
  bufferCalls: 1,
  bufferPercent: 0,
  minReplicas: 1,
  maxReplicas: 8,
  scaleDownStabilizationSeconds: 2,
};
const PEAK_CALLS = 28; // 7 scale-ups per rise: at 4, 8, ..., 28 calls
const BASELINE_STEPS = 8;

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (v: number | undefined, digits = 0): number | undefined =>
  v === undefined ? undefined : Math.round(v * 10 ** digits) / 10 ** digits;

const expectedPods = (calls: number): number =>
  Math.min(POLICY.maxReplicas, Math.max(POLICY.minReplicas, wantedReplicas(calls, POLICY)));

/** A Deployment no kubelet runs, scaled by hand: how soon the ReplicaSet controller creates a pod. */
async function replicaSetFloor(rig: AutoscaleRig): Promise<number[]> {
  const labels = { app: 'replicaset-floor' };
  await rig.apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'replicaset-floor', labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'pause', image: 'pause:floor' }] },
        },
      },
    },
  });
  const pods = async (): Promise<number> =>
    (
      await rig.core.listNamespacedPod({
        namespace: 'default',
        labelSelector: 'app=replicaset-floor',
      })
    ).items.length;
  const samples: number[] = [];
  for (let n = 1; n <= BASELINE_STEPS; n++) {
    const started = Date.now();
    await rig.apps.patchNamespacedDeploymentScale(
      { name: 'replicaset-floor', namespace: 'default', body: { spec: { replicas: n } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(async () => (await pods()) === n, { timeoutMs: 10_000, intervalMs: 20 });
    samples.push(Date.now() - started);
    await sleep(500);
  }
  await rig.apps.deleteNamespacedDeployment({ name: 'replicaset-floor', namespace: 'default' });
  return samples;
}

async function main(): Promise<void> {
  const rig = await AutoscaleRig.start({
    agent: 'bench-pool',
    callsPerPod: POLICY.callsPerPod,
    drainSeconds: 120,
    subnet: 12,
  });
  const calls = new Map<RunningPod, TestCaller[]>();
  const reactions: number[] = [];
  const utilisation = { ours: 0, staticPool: 0, samples: 0 };
  let placed = 0;
  let overStarted = 0;
  const dropped: string[] = [];
  const live = (): number => [...calls.values()].reduce((sum, list) => sum + list.length, 0);
  const sampling = new AbortController();
  let floor: number[] | undefined;
  try {
    floor = await replicaSetFloor(rig);
    console.log(`ReplicaSet floor: ${floor.join(', ')} ms`);
    await rig.createAgent({
      minReplicas: POLICY.minReplicas,
      maxReplicas: POLICY.maxReplicas,
      bufferCalls: POLICY.bufferCalls,
      capacity: { scaleDownStabilizationSeconds: POLICY.scaleDownStabilizationSeconds },
    });
    await waitFor(async () => (await rig.region())?.capacity === POLICY.callsPerPod, {
      timeoutMs: 60_000,
      message: 'one ready media pod whose capacity the operator knows',
    });
    const sampler = (async () => {
      while (!sampling.signal.aborted) {
        // Slots and calls of the pods that take calls (draining pods' calls need no new slot).
        const serving = rig.podsAlive().filter((p) => p.readyAt !== undefined);
        const n = serving.reduce((sum, p) => sum + (calls.get(p)?.length ?? 0), 0);
        if (serving.length > 0) {
          utilisation.ours += n / (serving.length * POLICY.callsPerPod);
          utilisation.staticPool += n / (POLICY.maxReplicas * POLICY.callsPerPod);
          utilisation.samples++;
        }
        await sleep(250, undefined, { signal: sampling.signal }).catch(() => undefined);
      }
    })();
    const podCount = async (): Promise<number> =>
      (await rig.podObjects()).filter((p) => p.metadata?.deletionTimestamp === undefined).length;

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      // Rise: one call at a time; after each, the pool must match what calls + buffer ask for.
      while (live() < PEAK_CALLS) {
        // Like the edge's call-load dispatcher: the ready pod with the fewest calls among those
        // whose pod object is not terminating (the edge disables terminating ones).
        const pod = await waitFor(
          async () => {
            const serving = new Set(
              (await rig.podObjects())
                .filter((p) => p.metadata?.deletionTimestamp === undefined)
                .map((p) => p.metadata?.name),
            );
            return rig
              .podsAlive()
              .filter((p) => serving.has(p.name) && p.readyAt !== undefined)
              .filter((p) => (calls.get(p)?.length ?? 0) < POLICY.callsPerPod)
              .sort((a, b) => (calls.get(a)?.length ?? 0) - (calls.get(b)?.length ?? 0))[0];
          },
          { timeoutMs: 120_000, message: 'a ready pod with a free slot' },
        ).catch(async (error: unknown) => {
          const seen = rig.podsAlive().map((p) => `${p.name} ready=${p.readyAt !== undefined} calls=${calls.get(p)?.length ?? 0}`); // prettier-ignore
          const status = JSON.stringify(await rig.region());
          throw new Error(`${String(error)}; pods: ${seen.join(', ')}; status: ${status}; kubelet: ${rig.kubelet.errors.join('; ')}`); // prettier-ignore
        });
        const before = await podCount();
        calls.set(pod, [...(calls.get(pod) ?? []), await rig.call(pod)]);
        placed++;
        console.log(`call ${live()} on ${pod.name}`);
        const want = expectedPods(live());
        if (want > before) {
          const breached = Date.now();
          await waitFor(async () => (await podCount()) >= want, {
            timeoutMs: 30_000,
            intervalMs: 20,
            message: `a pod for call ${live()}`,
          });
          reactions.push(Date.now() - breached);
        }
        if ((await podCount()) > want) overStarted++;
      }
      console.log(`cycle ${cycle}: ${live()} calls on ${rig.podsAlive().length} pods`);
      // Fall: calls end round robin over the pods, one every 100 ms.
      while (live() > 0) {
        for (const list of calls.values()) {
          const c = list.pop();
          if (c === undefined) continue;
          const why = await hangUpByCaller(c);
          if (why !== undefined) dropped.push(why);
          await sleep(100);
        }
      }
      // Back at the minimum once every removed pod drained and its object is gone.
      await waitFor(async () => (await rig.podObjects()).length === POLICY.minReplicas, {
        timeoutMs: 120_000,
        message: 'the pool back at its minimum',
      });
      calls.clear();
      console.log(
        `cycle ${cycle}: back to ${rig.podsAlive().length} pod, ${dropped.length} dropped`,
      );
    }
    sampling.abort();
    await sampler;
  } finally {
    sampling.abort();
    await rig.stop();
  }

  const ours = utilisation.ours / Math.max(1, utilisation.samples);
  const staticPool = utilisation.staticPool / Math.max(1, utilisation.samples);
  const p95 = percentile(reactions, 95);
  const floorP95 = percentile(floor ?? [], 95);
  const out = {
    tier: 'API server + kube-controller-manager, loopback kubelet running real media-node processes; calls placed on the pods directly, not through the edge',
    scaleUpReactionP95Ms: p95,
    scaleUpReactionP50Ms: percentile(reactions, 50),
    scaleUpReactions: reactions.length,
    // Baseline in the same run: replicas written by hand -> the ReplicaSet controller's pod.
    replicaSetFloorP95Ms: floorP95,
    reactionToFloorRatio:
      p95 === undefined || floorP95 === undefined ? undefined : round(p95 / floorP95, 2),
    droppedCalls: dropped.length,
    droppedWhy: [...new Set(dropped)],
    callsPlaced: placed,
    podsStartedWhileFreeSlots: overStarted,
    slotUtilisation: round(ours, 3),
    staticPoolSlotUtilisation: round(staticPool, 3),
    utilisationToStaticRatio: round(ours / Math.max(1e-9, staticPool), 2),
    kwokAgents: null,
    kwokPods: null,
    kwokDecisionP99Ms: null,
    policy: { ...POLICY, peakCalls: PEAK_CALLS, cycles: CYCLES },
    target: { scaleUpReactionP95Ms: 5000, droppedCalls: 0, podsStartedWhileFreeSlots: 0 },
    machine: { cpus: cpus().length, loadavg1m: round(loadavg()[0], 2) },
    at: new Date().toISOString(),
  };
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(join(root, 'bench/results/autoscale.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

await main();
