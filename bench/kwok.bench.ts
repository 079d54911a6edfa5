// The operator's control loop at fleet scale: AGENTS VoiceAgents spread over 3 regions, on nodes
// and pods simulated by kwok, against a real kube-apiserver, etcd, kube-controller-manager (the
// ReplicaSets create the pods, and remove the ones a scale-down picks) and kube-scheduler (places
// them on their region's nodes). Every kwok pod gets a loopback IP from its node's podCIDR
// (127.64.0.0/16, 127.65.0.0/16, ...), and bench/kwok/pods.ts serves each one's media-node status
// stream on that IP with a synthetic call load that rises to PEAK calls per agent, holds, and falls.
// The operator runs as it ships: main.ts bundled, plain node, leader election as bench:operator.
//
// Measured (bench/results/autoscale.json, the `kwok*` fields and `kwok`):
// - kwokDecisionP99Ms: a placed call makes calls + buffer ask for more pods -> the operator's write
//   of the Deployment with at least that many replicas (its request time in the API server's audit
//   log, matched to the replicas change seen on a watch);
// - kwokPods: the most media pods Ready at once, every one with its status stream;
// - kwokAgents: agents whose pool went up to what the peak asks for and back down after the fall;
// - steady writes: the operator's API writes in the minute after the fleet settled (its own write
//   counter and the audit log).
// Bounded: one rise and one fall, every wait has a timeout, the run stops at DEADLINE_S.
// Run: npm run bench:kwok   (VOICEFLEET_BENCH_AGENTS=1000)
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { voiceAgentManifest } from '@voicefleet/api/testing';
import type { VoiceAgent } from '@voicefleet/api';
import { spawnProcess, waitFor, type ManagedProcess } from '@voicefleet/devtools/processes';
import { Informer } from '../operator/src/kube/informer.js';
import { bundleOperator, cpuSeconds, pool } from './lib/operator-run.js';
import { createKubeRest, namespacedPath } from '../operator/src/kube/kube-rest.js';
import type { Stored } from '../operator/src/kube/stored.js';
import { wantedReplicas } from '../operator/src/scaling/pool-scaler.js';
import { childName } from '../operator/src/voice-agent/child-names.js';
import { startControlPlane } from '../test/harness/control-plane.js';
import { findControlPlaneDir } from '../test/harness/control-plane-binaries.js';
import { findGoBuiltBinary } from '../test/harness/go-built-binary.js';
import { installCrds, startOperator, type OperatorProcess } from '../test/operator-helpers.js';
import type { Schedule } from './kwok/pods.js';

const root = new URL('..', import.meta.url).pathname;
const AGENTS = Number(process.env['VOICEFLEET_BENCH_AGENTS'] ?? 1000);
const DEADLINE_S = Number(process.env['VOICEFLEET_BENCH_DEADLINE_S'] ?? 900);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'];
const NODES_PER_REGION = 4;
const NAMESPACE = 'fleet';
const WORKERS = 8;
const STEADY_WINDOW_MS = 60_000;
const POLICY = {
  callsPerPod: 10,
  bufferCalls: 5,
  bufferPercent: 0,
  minReplicas: 1,
  maxReplicas: 12,
  scaleDownStabilizationSeconds: 20,
};
const SCHEDULE: Schedule = {
  policy: POLICY,
  peakCalls: 90, // + the buffer of 5: 10 pods of 10 per agent
  lowCalls: 5, // 1 pod
  riseSeconds: Number(process.env['VOICEFLEET_BENCH_RISE_S'] ?? 180),
  fallSeconds: 90,
  spreadSeconds: 30,
  holdMaxSeconds: 240,
};
const wanted = (calls: number): number =>
  Math.min(POLICY.maxReplicas, Math.max(POLICY.minReplicas, wantedReplicas(calls, POLICY)));
const PEAK_PODS = wanted(SCHEDULE.peakCalls);
const LOW_PODS = wanted(SCHEDULE.lowCalls);

const agentName = (i: number): string => `agent-${String(i).padStart(4, '0')}`;
const regionOf = (i: number): string => REGIONS[i % REGIONS.length] ?? 'us-east-1';

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface AuditEvent {
  verb: string;
  stage: string;
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string; name?: string };
  requestReceivedTimestamp: string;
}

/** The operator's writes from the audit log: each with its time, resource and object name. */
function operatorWrites(path: string): { at: number; what: string; name: string }[] {
  const out: { at: number; what: string; name: string }[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as AuditEvent;
    if (e.stage !== 'ResponseComplete' || !(e.userAgent ?? '').startsWith('voicefleet-operator'))
      continue;
    const sub = e.objectRef?.subresource ? `/${e.objectRef.subresource}` : '';
    out.push({
      at: Date.parse(e.requestReceivedTimestamp),
      what: `${e.verb} ${e.objectRef?.resource ?? ''}${sub}`,
      name: e.objectRef?.name ?? '',
    });
  }
  return out;
}

class Simulator {
  readonly phases: Record<string, unknown>[] = [];
  private constructor(readonly proc: ChildProcessWithoutNullStreams) {
    void (async () => {
      for await (const line of createInterface({ input: proc.stdout })) {
        try {
          this.phases.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a phase line
        }
      }
    })();
  }

  static start(kubeconfig: string, breaches: string, logPath: string): Simulator {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/kwok/pods.ts'), kubeconfig, NAMESPACE, JSON.stringify(SCHEDULE), breaches], // prettier-ignore
      { cwd: root, stdio: 'pipe' },
    );
    proc.stderr.on('data', (chunk: Buffer) => writeFileSync(logPath, chunk, { flag: 'a' }));
    return new Simulator(proc);
  }

  phase(name: string): Record<string, unknown> | undefined {
    return this.phases.findLast((p) => p['phase'] === name);
  }

  send(line: string): void {
    this.proc.stdin.write(`${line}\n`);
  }

  async stats(signal: AbortSignal): Promise<Record<string, unknown>> {
    const before = this.phases.length;
    this.send('stats');
    return waitFor(() => this.phases.slice(before).find((p) => p['phase'] === 'stats'), {
      timeoutMs: 10_000,
      message: 'simulator stats',
      signal,
    });
  }
}

async function main(): Promise<void> {
  // SIGINT/SIGTERM end the run like its deadline: every wait throws and the finally below stops
  // every process by PID.
  const interrupted = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => interrupted.abort(new Error(signal)));
  const deadline = AbortSignal.any([AbortSignal.timeout(DEADLINE_S * 1000), interrupted.signal]);
  const kwokBin = findGoBuiltBinary('kwok');
  if (!('path' in kwokBin)) throw new Error(kwokBin.missing);
  const work = mkdtempSync(join(tmpdir(), 'voicefleet-kwok-'));
  const auditPolicy = join(work, 'audit-policy.yaml');
  const auditLog = join(work, 'audit.log');
  writeFileSync(
    auditPolicy,
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    verbs: [create, update, patch, delete, deletecollection]\n  - level: None\n',
  );
  const plane = await startControlPlane({
    extraApiServerArgs: [
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-maxsize=4096',
      '--max-requests-inflight=1000',
      '--max-mutating-requests-inflight=500',
    ],
    // 10,000 pods: the ReplicaSet controller's default client limits would take minutes alone.
    extraControllerManagerArgs: ['--kube-api-qps=500', '--kube-api-burst=1000'],
    // Endpoints refuse loopback addresses: these controllers would retry every pod's forever. The
    // operator's scaling reads no Service endpoints (its edge sync does, and is not run here).
    disableControllers: [
      'endpoints-controller',
      'endpointslice-controller',
      'endpointslice-mirroring-controller',
    ],
  });
  const procs: ManagedProcess[] = [];
  let operator: OperatorProcess | undefined;
  let completed = false;
  let sim: Simulator | undefined;
  const stopInformers = new AbortController();
  try {
    const kc = plane.kubeConfig;
    const controlPlaneDir = findControlPlaneDir();
    if (!('dir' in controlPlaneDir)) throw new Error(controlPlaneDir.missing);
    if (!existsSync(join(controlPlaneDir.dir, 'kube-scheduler')))
      throw new Error(`no kube-scheduler in ${controlPlaneDir.dir}: run bash scripts/ensure-control-plane.sh --node`); // prettier-ignore
    procs.push(
      spawnProcess({
        name: 'kube-scheduler',
        command: join(controlPlaneDir.dir, 'kube-scheduler'),
        args: [`--kubeconfig=${plane.kubeconfigPath}`, '--leader-elect=false', '--secure-port=0', '--kube-api-qps=500', '--kube-api-burst=1000'], // prettier-ignore
        logPath: join(work, 'kube-scheduler.log'),
      }),
      spawnProcess({
        name: 'kwok',
        command: kwokBin.path,
        args: [`--kubeconfig=${plane.kubeconfigPath}`, '--manage-all-nodes=true', `--config=${join(root, 'bench/kwok/stages.yaml')}`, '--node-ip=127.0.0.1', '--cidr=127.63.0.0/16'], // prettier-ignore
        logPath: join(work, 'kwok.log'),
      }),
    );
    const core = kc.makeApiClient(CoreV1Api);
    let k = 0;
    for (const region of REGIONS) {
      for (let n = 0; n < NODES_PER_REGION; n++, k++) {
        await core.createNode({
          body: {
            metadata: {
              name: `kwok-${region}-${n}`,
              labels: {
                'kubernetes.io/hostname': `kwok-${region}-${n}`,
                'topology.kubernetes.io/region': region,
                'topology.kubernetes.io/zone': `${region}${'abcd'[n % 4]}`,
                type: 'kwok',
              },
              annotations: { 'kwok.x-k8s.io/node': 'fake' },
            },
            spec: { podCIDR: `127.${64 + k}.0.0/16` },
          },
        });
      }
    }
    await installCrds(kc);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });

    const bundle = join(work, 'operator.mjs');
    await bundleOperator(bundle);
    const leaderElection = process.env['VOICEFLEET_BENCH_LEADER_ELECTION'] === 'true';
    operator = await startOperator(
      plane.kubeconfigPath,
      work,
      ['--regions', REGIONS.join(','), '--multi-region-cluster', '--namespace', NAMESPACE, '--workers', String(WORKERS), ...(leaderElection ? [] : ['--no-leader-election'])], // prettier-ignore
      'operator',
      [bundle],
    );
    const breachesPath = join(work, 'breaches.ndjson');
    sim = Simulator.start(plane.kubeconfigPath, breachesPath, join(work, 'simulator.log'));
    const simulator = sim;
    await waitFor(() => simulator.phase('ready'), { timeoutMs: 60_000, message: 'the simulator', signal: deadline }); // prettier-ignore

    // The bench's own view: agents (status) and Deployments (replicas, each change with its time).
    const agents = Informer.forResource<Stored<VoiceAgent>>(kc, { group: 'voicefleet.io', version: 'v1alpha1', plural: 'voiceagents', namespace: NAMESPACE }); // prettier-ignore
    const deployments = Informer.forResource<V1Deployment & { metadata: { name: string } }>(kc, { group: 'apps', version: 'v1', plural: 'deployments', namespace: NAMESPACE }); // prettier-ignore
    const timeline = new Map<string, { replicas: number; at: number }[]>();
    const note = (d: V1Deployment): void => {
      const name = d.metadata?.name ?? '';
      const replicas = d.spec?.replicas ?? 0;
      const list = timeline.get(name) ?? [];
      if (list.at(-1)?.replicas !== replicas) list.push({ replicas, at: Date.now() });
      timeline.set(name, list);
    };
    deployments.on('add', note);
    deployments.on('update', (_old, d) => note(d));
    const informing = Promise.all([agents.run(stopInformers.signal), deployments.run(stopInformers.signal)]); // prettier-ignore
    await Promise.all([agents.waitForSync(), deployments.waitForSync()]);
    const sumOf = (f: (d: V1Deployment) => number | undefined): number =>
      deployments.list().reduce((n, d) => n + (f(d) ?? 0), 0);

    const rest = createKubeRest(kc);
    const t0 = Date.now();
    await pool(
      Array.from({ length: AGENTS }, (_, i) => i),
      16,
      (i) => {
        const manifest = voiceAgentManifest(agentName(i), {
          namespace: NAMESPACE,
          numbers: [`+1415${String(2_000_000 + i).padStart(7, '0')}`],
          regions: [{ name: regionOf(i), minReplicas: POLICY.minReplicas, maxReplicas: POLICY.maxReplicas }], // prettier-ignore
          callsPerPod: POLICY.callsPerPod,
          bufferCalls: POLICY.bufferCalls,
          spec: { drainTimeoutSeconds: 30 },
        }) as unknown as { spec: { capacity: Record<string, unknown> } };
        manifest.spec.capacity['scaleDownStabilizationSeconds'] = POLICY.scaleDownStabilizationSeconds; // prettier-ignore
        return rest.request('POST', namespacedPath('voicefleet.io/v1alpha1', 'voiceagents', NAMESPACE), manifest); // prettier-ignore
      },
    );
    const createdMs = Date.now() - t0;
    // Reconciled: every agent's one pod Ready, its load known to the operator (capacity counted).
    const knownCapacity = () =>
      agents.list().filter((a) => (a.status as { regions?: { capacity?: number }[] } | undefined)?.regions?.[0]?.capacity === POLICY.callsPerPod).length; // prettier-ignore
    let told = Date.now();
    await waitFor(
      () => {
        if (Date.now() - told > 15_000) {
          told = Date.now();
          console.log(`${knownCapacity()} agents with known load, ${sumOf((d) => d.status?.readyReplicas)} pods Ready`); // prettier-ignore
        }
        return knownCapacity() === AGENTS;
      },
      {
        timeoutMs: 600_000,
        intervalMs: 500,
        message: `${AGENTS} agents with one pod whose load the operator knows`,
        signal: deadline,
      },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${knownCapacity()} of ${AGENTS}`, { cause: e });
    });
    const baseMs = Date.now() - t0;
    console.log(`${AGENTS} agents reconciled with load known in ${baseMs} ms (created in ${createdMs} ms)`); // prettier-ignore

    // Rise and fall.
    const reconcileSeconds = async () => ({
      sum: await operator!.metric('voicefleet_operator_reconcile_duration_seconds_sum', { controller: 'voiceagent' }), // prettier-ignore
      count: await operator!.metric('voicefleet_operator_reconcile_duration_seconds_count', { controller: 'voiceagent' }), // prettier-ignore
    });
    const rec0 = await reconcileSeconds();
    const cpu0 = { operator: cpuSeconds(operator.proc.pid), simulator: cpuSeconds(simulator.proc.pid ?? 0) }; // prettier-ignore
    const riseStart = Date.now();
    // Pools the operator took to what the peak asks for (replicas written).
    const atPeak = new Set<string>();
    const sample = () => {
      for (const d of deployments.list())
        if ((d.spec?.replicas ?? 0) >= PEAK_PODS) atPeak.add(d.metadata.name);
    };
    const settled = () =>
      deployments.list().filter((d) => d.spec?.replicas === LOW_PODS && d.status?.replicas === LOW_PODS).length; // prettier-ignore
    // A run stopped by its deadline still reports what it measured, and where it stopped.
    let phase = 'rise';
    let stopped: string | undefined;
    let riseMs: number | undefined;
    let settleMs: number | undefined;
    let quiet: { s0: number; s1: number; metricWrites: number } | undefined;
    try {
      simulator.send('go');
      await waitFor(
        () => {
          sample();
          return simulator.phase('risen');
        },
        { timeoutMs: (SCHEDULE.riseSeconds + SCHEDULE.spreadSeconds + SCHEDULE.holdMaxSeconds + 60) * 1000, intervalMs: 1000, message: 'the rise', signal: deadline }, // prettier-ignore
      );
      riseMs = Date.now() - riseStart;
      console.log(`risen after ${riseMs} ms: ${JSON.stringify(simulator.phase('risen'))}, ${atPeak.size} pools at ${PEAK_PODS} pods`); // prettier-ignore
      phase = 'fall';
      await waitFor(
        () => {
          sample();
          return simulator.phase('fallen');
        },
        { timeoutMs: (SCHEDULE.fallSeconds + SCHEDULE.spreadSeconds + 60) * 1000, intervalMs: 1000, message: 'the fall', signal: deadline }, // prettier-ignore
      );
      const fallenAt = Date.now();
      // Settled: every pool back at what the low load asks for, its pods gone.
      phase = 'settle';
      await waitFor(() => settled() === AGENTS, {
        timeoutMs: (POLICY.scaleDownStabilizationSeconds + 240) * 1000,
        intervalMs: 1000,
        message: 'every pool back at its low size',
        signal: deadline,
      });
      settleMs = Date.now() - fallenAt;
      // The status of calls changed last within 5 s; let it be written, then a quiet minute.
      phase = 'quiet minute';
      await sleep(10_000, undefined, { signal: deadline });
      const w0 = await operator.metric('voicefleet_operator_api_writes_total');
      const s0 = Date.now();
      await sleep(STEADY_WINDOW_MS, undefined, { signal: deadline });
      const s1 = Date.now();
      const metricWrites = (await operator.metric('voicefleet_operator_api_writes_total')) - w0;
      quiet = { s0, s1, metricWrites };
    } catch (error) {
      stopped = `stopped in the ${phase}: ${String(error)}`;
      console.error(stopped);
    }
    const settledPools = settled();
    const backDown = new Set(deployments.list().filter((d) => d.spec?.replicas === LOW_PODS).map((d) => d.metadata.name)); // prettier-ignore
    const simStats = await simulator.stats(AbortSignal.timeout(30_000));
    const rec1 = await reconcileSeconds();
    const reconciles = rec1.count - rec0.count;
    const cpuRun = { operator: cpuSeconds(operator.proc.pid) - cpu0.operator, simulator: cpuSeconds(simulator.proc.pid ?? 0) - cpu0.simulator }; // prettier-ignore
    await sleep(2000); // audit log flush
    const writes = operatorWrites(auditLog);
    const steady = quiet === undefined ? [] : writes.filter((w) => w.at >= quiet.s0 && w.at < quiet.s1); // prettier-ignore
    const steadyByResource: Record<string, number> = {};
    for (const w of steady) steadyByResource[w.what] = (steadyByResource[w.what] ?? 0) + 1;
    const runByResource: Record<string, number> = {};
    for (const w of writes.filter((x) => x.at >= riseStart && x.at < (quiet?.s0 ?? Infinity)))
      runByResource[w.what] = (runByResource[w.what] ?? 0) + 1;

    // Decisions: breach -> the operator's write of the Deployment with at least those replicas.
    const deploymentPatches = new Map<string, number[]>();
    for (const w of writes)
      if (w.what === 'patch deployments')
        deploymentPatches.set(w.name, [...(deploymentPatches.get(w.name) ?? []), w.at]);
    const regionByAgent = new Map(Array.from({ length: AGENTS }, (_, i) => [agentName(i), regionOf(i)])); // prettier-ignore
    const decisionMs: number[] = [];
    const seenMs: number[] = [];
    let anticipated = 0;
    let unmatched = 0;
    const breaches = readFileSync(breachesPath, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { agent: string; replicas: number; at: number }); // prettier-ignore
    for (const b of breaches) {
      const name = childName(b.agent, regionByAgent.get(b.agent) ?? '');
      const list = timeline.get(name) ?? [];
      const before = list.filter((e) => e.at <= b.at).at(-1);
      if (before !== undefined && before.replicas >= b.replicas) {
        anticipated++;
        continue;
      }
      const seen = list.find((e) => e.at > b.at && e.replicas >= b.replicas);
      if (seen === undefined) {
        unmatched++;
        continue;
      }
      seenMs.push(seen.at - b.at);
      const write = (deploymentPatches.get(name) ?? []).filter((t) => t <= seen.at).at(-1);
      decisionMs.push(write !== undefined && write >= b.at ? write - b.at : seen.at - b.at);
    }
    const reconciledAgents = [...atPeak].filter((n) => backDown.has(n)).length;
    const kwok = {
      tier: 'kube-apiserver + etcd + kube-controller-manager + kube-scheduler, kwok nodes and pods, every pod a status stream served on its loopback IP by one simulator process; the operator bundled as it ships',
      agents: AGENTS,
      regions: REGIONS.length,
      nodes: REGIONS.length * NODES_PER_REGION,
      leaderElection,
      reconciledAgents,
      agentsAtPeak: atPeak.size,
      peakPodsServed: simStats['peakPods'],
      decisions: decisionMs.length,
      decisionP50Ms: percentile(decisionMs, 50),
      decisionP95Ms: percentile(decisionMs, 95),
      decisionP99Ms: percentile(decisionMs, 99),
      decisionMaxMs: percentile(decisionMs, 100),
      seenOnWatchP99Ms: percentile(seenMs, 99),
      breachesAlreadyCovered: anticipated,
      breachesNeverScaled: unmatched,
      completed: stopped === undefined,
      ...(stopped !== undefined ? { stopped } : {}),
      steadyWritesPerMinute: quiet === undefined ? null : Math.max(quiet.metricWrites, steady.length), // prettier-ignore
      steadyWritesFromMetric: quiet?.metricWrites ?? null,
      steadyWritesFromAuditLog: quiet === undefined ? null : steady.length,
      steadyWritesByResource: steadyByResource,
      writesDuringRiseAndFall: runByResource,
      seconds: {
        agentsCreated: Math.round(createdMs / 1000),
        agentsReconciled: Math.round(baseMs / 1000),
        rise: riseMs === undefined ? null : Math.round(riseMs / 1000),
        settleAfterFall: settleMs === undefined ? null : Math.round(settleMs / 1000),
      },
      settledPools,
      reconcilesDuringRiseAndFall: reconciles,
      reconcileMeanMs: reconciles > 0 ? Math.round(((rec1.sum - rec0.sum) / reconciles) * 1000) : undefined, // prettier-ignore
      simulator: simStats,
      cpuSecondsDuringRiseAndFall: cpuRun,
      policy: { ...POLICY, peakCalls: SCHEDULE.peakCalls, lowCalls: SCHEDULE.lowCalls, peakPods: PEAK_PODS, riseSeconds: SCHEDULE.riseSeconds, fallSeconds: SCHEDULE.fallSeconds }, // prettier-ignore
      target: { agents: 1000, pods: 10_000, decisionP99Ms: 1000, steadyWritesPerMinute: 0 },
      machine: { cpus: cpus().length, loadavg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
      at: new Date().toISOString(),
    };
    const resultPath = join(root, 'bench/results/autoscale.json');
    const result = JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown>;
    Object.assign(result, {
      // Up and back down; a run stopped before the fall counts the pools taken up to the peak.
      kwokAgents: stopped === undefined ? reconciledAgents : atPeak.size,
      kwokPods: simStats['peakPods'],
      kwokDecisionP99Ms: kwok.decisionP99Ms ?? null,
      kwok,
    });
    writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(kwok, null, 2));
    stopInformers.abort();
    await informing.catch(() => undefined);
    completed = true;
  } finally {
    stopInformers.abort();
    if (sim !== undefined) {
      sim.send('exit');
      sim.proc.stdin.end();
      await Promise.race([new Promise((r) => sim?.proc.once('exit', r)), sleep(10_000)]);
      if (sim.proc.exitCode === null) sim.proc.kill('SIGKILL');
    }
    if (operator !== undefined) await operator.proc.stop();
    for (const p of procs.reverse()) await p.stop();
    await plane.stop();
    // A failed run keeps its logs (operator, simulator, kwok, kube-scheduler, audit).
    if (completed) rmSync(work, { recursive: true, force: true });
    else console.error(`logs kept in ${work}`);
  }
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
