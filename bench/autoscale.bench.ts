// Autoscaling on calls, measured on the API-server tier (test/harness/autoscale-rig.ts): a real
// kube-apiserver and kube-controller-manager, the operator in this process, every media pod a real
// media-node process taking real SIP calls with RTP. A synthetic load rises and falls CYCLES times
// (one call at a time onto the ready pod with the fewest calls, as the edge's call-load dispatcher
// does; then the calls end round robin over the pods, so the pods a scale-down removes still hold
// calls and drain them). Measured, each against a floor measured in the same run:
//
// - scale-up: a call breaches the buffer -> the new pod object exists (reaction), and -> that pod
//   is Ready to take calls (capacity ready). Floor: a Deployment of the same media pods whose
//   replicas are raised by hand (no operator), on a second loopback kubelet: replicas written ->
//   pod object, -> pod Ready.
// - release: the last call of a fall ends -> the pool is back at minReplicas (every removed pod
//   drained, exited and its object gone). What the policy asks for is the stabilization window
//   plus the preStop wait; the floor adds what the same kubelet takes to remove an idle pod after
//   a hand-lowered replicas (ratio = ours / (window + preStop + floor)).
// - droppedCalls: calls not ended by the caller's own BYE (the node hung up, the BYE failed, or
//   no audio was heard), across every scale-down of the run.
// - podsStartedWhileFreeSlots: pods beyond what the calls and the buffer ask for, checked after
//   every call.
// - slotUtilisation: calls / slots of ready pods, sampled every 250 ms; baseline: a static pool at
//   maxReplicas carrying the same calls (ratio = ours / static).
//
// Bounded: CYCLES (at most 5) rises to PEAK_CALLS, every wait has a timeout, and the whole run
// stops at DEADLINE_S. The fleet-scale fields (kwokAgents, kwokPods, kwokDecisionP99Ms and kwok)
// are bench:kwok's (bench/kwok.bench.ts): this bench keeps what that one wrote in the same file.
// Writes bench/results/autoscale.json. Run: npm run bench:autoscale
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { waitFor } from '@voicefleet/devtools/processes';
import { wantedReplicas } from '../operator/src/scaling/pool-scaler.js';
import { PRE_STOP_SECONDS } from '../operator/src/voice-agent/desired-children.js';
import { AutoscaleRig, hangUpByCaller } from '../test/harness/autoscale-rig.js';
import { LoopbackKubelet, type RunningPod } from '../test/harness/loopback-kubelet.js';
import type { TestCaller } from '../test/media-node-caller.js';

const root = new URL('..', import.meta.url).pathname;
const CYCLES = Math.min(5, Math.max(1, Number(process.env['VOICEFLEET_BENCH_CYCLES'] ?? 2)));
const DEADLINE_S = Number(process.env['VOICEFLEET_BENCH_DEADLINE_S'] ?? 900);
const POLICY = {
  callsPerPod: 4,
  bufferCalls: 1,
  bufferPercent: 0,
  minReplicas: 1,
  maxReplicas: 8,
  scaleDownStabilizationSeconds: 2,
};
const PEAK_CALLS = 28; // 7 scale-ups per rise: at 4, 8, ..., 28 calls
const FLOOR_STEPS = 6;
const DRAIN_SECONDS = 120;

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (v: number | undefined, digits = 0): number | undefined =>
  v === undefined ? undefined : Math.round(v * 10 ** digits) / 10 ** digits;

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b <= 0 ? undefined : round(a / b, 2);

const expectedPods = (calls: number): number =>
  Math.min(POLICY.maxReplicas, Math.max(POLICY.minReplicas, wantedReplicas(calls, POLICY)));

interface Floor {
  /** replicas raised by hand -> the new pod object. */
  objectMs: number[];
  /** replicas raised by hand -> the new pod Ready. */
  readyMs: number[];
  /** replicas lowered by hand to 1 -> the other (idle) pods' objects gone. */
  releaseMs: number;
}

/**
 * The floor under any autoscaler that writes `replicas`: a Deployment of the same media pods,
 * run by a kubelet of its own, scaled by hand one pod at a time, then back to one.
 */
async function handScaledFloor(rig: AutoscaleRig, signal: AbortSignal): Promise<Floor> {
  const labels = { app: 'replicaset-floor' };
  const kubelet = new LoopbackKubelet(rig.plane.kubeConfig, {
    namespace: 'default',
    selector: 'app=replicaset-floor',
    subnet: 13,
    nodeName: 'floor-node',
    nodeConfig: {
      agent: { namespace: 'default', name: 'replicaset-floor' },
      capacity: { maxCalls: POLICY.callsPerPod },
      drain: { deadlineSeconds: DRAIN_SECONDS },
    },
  });
  await kubelet.start();
  const scale = (replicas: number) =>
    rig.apps.patchNamespacedDeploymentScale(
      { name: 'replicaset-floor', namespace: 'default', body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  const pods = async (): Promise<number> =>
    (await rig.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=replicaset-floor' }))
      .items.length; // prettier-ignore
  const floor: Floor = { objectMs: [], readyMs: [], releaseMs: 0 };
  try {
    await rig.apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'replicaset-floor', labels },
        spec: {
          replicas: 0,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'media-node',
                  image: 'media-node:floor',
                  ports: [
                    { name: 'sip', containerPort: 5060, protocol: 'UDP' },
                    { name: 'http', containerPort: 8080, protocol: 'TCP' },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    for (let n = 1; n <= FLOOR_STEPS; n++) {
      const before = new Set(kubelet.pods.keys());
      const started = Date.now();
      await scale(n);
      await waitFor(async () => (await pods()) === n, {
        timeoutMs: 10_000,
        intervalMs: 20,
        message: `the floor's pod ${n}`,
        signal,
      });
      floor.objectMs.push(Date.now() - started);
      const ready = await waitFor(
        () => [...kubelet.pods.values()].find((p) => !before.has(p.name) && p.readyAt),
        { timeoutMs: 30_000, intervalMs: 20, message: `the floor's pod ${n} Ready`, signal },
      );
      floor.readyMs.push((ready.readyAt ?? 0) - started);
      await sleep(300);
    }
    const started = Date.now();
    await scale(1);
    await waitFor(async () => (await pods()) === 1, {
      timeoutMs: 60_000,
      intervalMs: 20,
      message: 'the floor back at one pod',
      signal,
    });
    floor.releaseMs = Date.now() - started;
    await rig.apps.deleteNamespacedDeployment({ name: 'replicaset-floor', namespace: 'default' });
    await waitFor(async () => (await pods()) === 0, {
      timeoutMs: 60_000,
      message: 'the floor gone',
      signal,
    });
  } finally {
    await kubelet.stop();
  }
  return floor;
}

/** What the pool looks like, for a failure message. */
async function describePool(
  rig: AutoscaleRig,
  calls: Map<RunningPod, TestCaller[]>,
): Promise<string> {
  const objects = await rig.podObjects();
  const pods = objects.map((p) => {
    const name = p.metadata?.name ?? '';
    const run = rig.kubelet.pods.get(name);
    const state = p.metadata?.deletionTimestamp !== undefined ? 'terminating' : 'serving';
    const held = run === undefined ? '?' : String(calls.get(run)?.length ?? 0);
    const exited = run?.exitedAt !== undefined ? ' exited' : '';
    return `${name} ${state}${exited} calls=${held} cost=${p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? '-'}`;
  });
  // What a draining node still waits for, from its own log.
  const draining = [...rig.kubelet.pods.values()]
    .filter((p) => p.deletedAt !== undefined && p.exitedAt === undefined)
    .map((p) => `${p.name}: ${p.node.logs.join('').split('\n').filter((l) => l.includes('drain')).slice(-2).join(' ')}`); // prettier-ignore
  return `pods: ${pods.join(', ')}; status: ${JSON.stringify(await rig.region())}; draining: ${draining.join('; ')}; kubelet: ${rig.kubelet.errors.join('; ')}`;
}

/** What bench:kwok last wrote into the results file (null while it has not run). */
async function kwokFields(): Promise<Record<string, unknown>> {
  const previous: Record<string, unknown> = await readFile(
    join(root, 'bench/results/autoscale.json'),
    'utf8',
  )
    .then((text) => JSON.parse(text) as Record<string, unknown>)
    .catch(() => ({}));
  const keys = ['kwokAgents', 'kwokPods', 'kwokDecisionP99Ms', 'kwok'];
  return Object.fromEntries(keys.map((k) => [k, previous[k] ?? null]));
}

async function main(): Promise<void> {
  const deadline = AbortSignal.timeout(DEADLINE_S * 1000);
  const rig = await AutoscaleRig.start({
    agent: 'bench-pool',
    callsPerPod: POLICY.callsPerPod,
    drainSeconds: DRAIN_SECONDS,
    subnet: 12,
  });
  const calls = new Map<RunningPod, TestCaller[]>();
  const reactions: number[] = [];
  const capacityReady: number[] = [];
  const releases: number[] = [];
  const utilisation = { ours: 0, staticPool: 0, samples: 0 };
  let placed = 0;
  let overStarted = 0;
  const dropped: string[] = [];
  const live = (): number => [...calls.values()].reduce((sum, list) => sum + list.length, 0);
  const sampling = new AbortController();
  let floor: Floor | undefined;
  const fail = async (error: unknown): Promise<never> => {
    throw new Error(`${String(error)}; ${await describePool(rig, calls)}`, { cause: error });
  };
  try {
    floor = await handScaledFloor(rig, deadline);
    console.log(
      `floor: pod object ${floor.objectMs.join(', ')} ms; Ready ${floor.readyMs.join(', ')} ms; release ${floor.releaseMs} ms`,
    );
    await rig.createAgent({
      minReplicas: POLICY.minReplicas,
      maxReplicas: POLICY.maxReplicas,
      bufferCalls: POLICY.bufferCalls,
      capacity: { scaleDownStabilizationSeconds: POLICY.scaleDownStabilizationSeconds },
    });
    await waitFor(async () => (await rig.region())?.capacity === POLICY.callsPerPod, {
      timeoutMs: 60_000,
      message: 'one ready media pod whose capacity the operator knows',
      signal: deadline,
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
          { timeoutMs: 60_000, message: 'a ready pod with a free slot', signal: deadline },
        ).catch(fail);
        const before = await podCount();
        const known = new Set(rig.kubelet.pods.keys());
        calls.set(pod, [...(calls.get(pod) ?? []), await rig.call(pod)]);
        placed++;
        const want = expectedPods(live());
        if (want > before) {
          const breached = Date.now();
          await waitFor(async () => (await podCount()) >= want, {
            timeoutMs: 30_000,
            intervalMs: 20,
            message: `a pod for call ${live()}`,
            signal: deadline,
          }).catch(fail);
          reactions.push(Date.now() - breached);
          const ready = await waitFor(
            () => rig.podsAlive().find((p) => !known.has(p.name) && p.readyAt !== undefined),
            { timeoutMs: 30_000, intervalMs: 20, message: `the pod for call ${live()} Ready`, signal: deadline }, // prettier-ignore
          ).catch(fail);
          capacityReady.push((ready.readyAt ?? 0) - breached);
        }
        if ((await podCount()) > want) overStarted++;
      }
      console.log(`cycle ${cycle}: ${live()} calls on ${await podCount()} pods`);
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
      const ended = Date.now();
      // Back at the minimum once every removed pod drained and its object is gone.
      await waitFor(async () => (await rig.podObjects()).length === POLICY.minReplicas, {
        timeoutMs: 60_000,
        intervalMs: 20,
        message: 'the pool back at its minimum',
        signal: deadline,
      }).catch(fail);
      releases.push(Date.now() - ended);
      calls.clear();
      console.log(
        `cycle ${cycle}: back to ${POLICY.minReplicas} pod ${releases.at(-1)} ms after the last call, ${dropped.length} dropped`,
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
  const reactionP95 = percentile(reactions, 95);
  const readyP95 = percentile(capacityReady, 95);
  const floorObjectP95 = percentile(floor?.objectMs ?? [], 95);
  const floorReadyP95 = percentile(floor?.readyMs ?? [], 95);
  const releaseMax = releases.length > 0 ? Math.max(...releases) : undefined;
  const policyWaitMs = (POLICY.scaleDownStabilizationSeconds + PRE_STOP_SECONDS) * 1000;
  const releaseFloorMs = floor === undefined ? undefined : policyWaitMs + floor.releaseMs;
  const out = {
    tier: 'API server + kube-controller-manager, loopback kubelet running real media-node processes; calls placed on the pods directly, not through the edge',
    scaleUpReactionP95Ms: reactionP95,
    scaleUpReactionP50Ms: percentile(reactions, 50),
    scaleUpReactions: reactions.length,
    capacityReadyP95Ms: readyP95,
    capacityReadyP50Ms: percentile(capacityReady, 50),
    releaseMaxMs: releaseMax,
    releasesMs: releases,
    droppedCalls: dropped.length,
    droppedWhy: [...new Set(dropped)],
    callsPlaced: placed,
    podsStartedWhileFreeSlots: overStarted,
    slotUtilisation: round(ours, 3),
    baseline: {
      what: 'a Deployment of the same media pods on a kubelet of its own, replicas written by hand (no operator); release: the stabilization window + preStop the policy asks for, plus that kubelet removing idle pods after replicas were lowered by hand',
      podObjectP95Ms: floorObjectP95,
      podReadyP95Ms: floorReadyP95,
      releaseMs: releaseFloorMs,
      staticPoolSlotUtilisation: round(staticPool, 3),
      reactionRatio: ratio(reactionP95, floorObjectP95),
      capacityReadyRatio: ratio(readyP95, floorReadyP95),
      releaseRatio: ratio(releaseMax, releaseFloorMs),
      utilisationRatio: ratio(ours, staticPool),
      samples: floor,
    },
    ...(await kwokFields()),
    policy: { ...POLICY, preStopSeconds: PRE_STOP_SECONDS, peakCalls: PEAK_CALLS, cycles: CYCLES },
    target: { scaleUpReactionP95Ms: 5000, droppedCalls: 0, podsStartedWhileFreeSlots: 0 },
    machine: { cpus: cpus().length, loadavg1m: round(loadavg()[0], 2) },
    at: new Date().toISOString(),
  };
  await mkdir(join(root, 'bench/results'), { recursive: true });
  await writeFile(join(root, 'bench/results/autoscale.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
}

// Everything main started is stopped by then; exit without waiting on a stray timer or socket of
// the harness (a first run sat idle for minutes after writing its results).
await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
