// How the operator should learn each media pod's calls: measured, not argued. Three designs, each
// with the same pods and the same changes (RATE call-count changes per second spread over N pods):
//
// - stream: the operator's PodLoadTracker, one `GET /status?watch=1` per pod (what ships);
// - poll:   `GET /status` of every pod once a second over keep-alive connections;
// - object: each change written to a per-pod object in the API server (a ConfigMap patch, as a
//           pod would patch its own annotation or a load object), the operator watching them.
//
// Pods are the media node's own HTTP server (N of them in one process); the watcher runs in a
// process of its own so its CPU is its own. Per design: latency from a change to the watcher
// seeing it (p50/p95/p99), CPU of the watcher (and, for object, of kube-apiserver + etcd) per
// second idle and under the changes. Writes bench/results/load-signal.json.
// Run: npm run bench:load-signal   (VOICEFLEET_BENCH_PODS=1000,5000 VOICEFLEET_BENCH_RATE=100)
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Informer } from '../operator/src/kube/informer.js';
import { createKubeRest, namespacedPath } from '../operator/src/kube/kube-rest.js';
import { startControlPlane } from '../test/harness/control-plane.js';

const root = new URL('..', import.meta.url).pathname;
const SIZES = (process.env['VOICEFLEET_BENCH_PODS'] ?? '1000,5000').split(',').map(Number);
const RATE = Number(process.env['VOICEFLEET_BENCH_RATE'] ?? 100);
const RUN_S = 20;
const IDLE_S = 10;
const OBJECT_PODS = 1000;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

function tsx(script: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    stdio: 'pipe',
  });
}

async function firstLine(proc: ChildProcessWithoutNullStreams, match: RegExp): Promise<string> {
  const lines = createInterface({ input: proc.stdout });
  for await (const line of lines) if (match.test(line)) return line;
  throw new Error(`process exited before printing ${match}`);
}

interface Latency {
  changes: number;
  seen: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

function latencies(changesPath: string, seenPath: string): Latency {
  const seenAt = new Map<string, number>();
  for (const line of readFileSync(seenPath, 'utf8').split('\n')) {
    const [pod, value, at] = line.split(' ');
    if (at !== undefined) seenAt.set(`${pod} ${value}`, Number(at));
  }
  const ms: number[] = [];
  let changes = 0;
  for (const line of readFileSync(changesPath, 'utf8').split('\n')) {
    const [pod, value, at] = line.split(' ');
    if (at === undefined) continue;
    changes++;
    const seen = seenAt.get(`${pod} ${value}`);
    if (seen !== undefined) ms.push(seen - Number(at));
  }
  ms.sort((a, b) => a - b);
  return {
    changes,
    seen: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p95Ms: round(percentile(ms, 95)),
    p99Ms: round(percentile(ms, 99)),
  };
}

async function httpDesign(mode: 'stream' | 'poll', pods: number, work: string) {
  const changesPath = join(work, `${mode}-${pods}-changes.txt`);
  const seenPath = join(work, `${mode}-${pods}-seen.txt`);
  const podProc = tsx('bench/load-signal/pods.ts', [
    String(pods),
    String(RATE),
    String(RUN_S),
    changesPath,
  ]);
  let watcher: ChildProcessWithoutNullStreams | undefined;
  try {
    const { ports } = JSON.parse(await firstLine(podProc, /^\{/)) as { ports: number[] };
    watcher = tsx('bench/load-signal/watcher.ts', [mode, JSON.stringify(ports), seenPath]);
    await firstLine(watcher, /^watching/);
    await sleep(3000); // every stream open, every poller started
    const pid = watcher.pid ?? 0;
    const idle0 = cpuSeconds(pid);
    await sleep(IDLE_S * 1000);
    const idleCpu = (cpuSeconds(pid) - idle0) / IDLE_S;
    const run0 = cpuSeconds(pid);
    const t0 = performance.now();
    podProc.stdin.write('go\n');
    await firstLine(podProc, /^done/);
    await sleep(1500); // a poller sees the last change within a second
    const runCpu = (cpuSeconds(pid) - run0) / ((performance.now() - t0) / 1000);
    watcher.kill('SIGTERM');
    await new Promise((resolve) => watcher?.once('exit', resolve));
    return {
      design: mode,
      pods,
      changesPerSecond: RATE,
      ...latencies(changesPath, seenPath),
      watcherCpuIdlePercentOfCore: round(idleCpu * 100, 2),
      watcherCpuUnderChangesPercentOfCore: round(runCpu * 100, 2),
      apiWritesPerSecond: 0,
    };
  } finally {
    watcher?.kill('SIGKILL');
    podProc.kill('SIGKILL');
  }
}

/** Each change a PATCH of the pod's own object; the watcher an informer on them. */
async function objectDesign(pods: number) {
  const plane = await startControlPlane({ controllerManager: false });
  try {
    const pids = readFileSync(join(plane.dir, 'pids'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
    const rest = createKubeRest(plane.kubeConfig);
    await rest.request('POST', '/api/v1/namespaces', { metadata: { name: 'load' } });
    const path = (i?: number) =>
      namespacedPath('v1', 'configmaps', 'load', i === undefined ? undefined : `pod-${i}`);
    for (let i = 0; i < pods; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, pods - i) }, (_, k) =>
          rest.request('POST', path(), {
            metadata: { name: `pod-${i + k}` },
            data: { calls: '0' },
          }),
        ),
      );
    }
    const seenAt = new Map<string, number>();
    const informer = Informer.forResource<KubernetesObject & { data?: Record<string, string> }>(
      plane.kubeConfig,
      { group: '', version: 'v1', plural: 'configmaps', namespace: 'load' },
    );
    const stop = new AbortController();
    informer.on('update', (_old, obj) => {
      seenAt.set(`${obj.metadata?.name} ${obj.data?.['calls']}`, performance.now());
    });
    void informer.run(stop.signal);
    await informer.waitForSync();
    const cpu = () => pids.reduce((s, pid) => s + cpuSeconds(pid), 0);
    const idle0 = cpu();
    await sleep(IDLE_S * 1000);
    const idleCpu = (cpu() - idle0) / IDLE_S;
    const calls = new Array<number>(pods).fill(0);
    const sentAt: [string, number][] = [];
    const run0 = cpu();
    const t0 = performance.now();
    const total = RATE * RUN_S;
    const writes: Promise<unknown>[] = [];
    for (let k = 0; k < total; k++) {
      const wait = t0 + (k * 1000) / RATE - performance.now();
      if (wait > 0) await sleep(wait);
      const i = (k * 7919) % pods;
      calls[i] = (calls[i] ?? 0) + 1;
      sentAt.push([`pod-${i} ${calls[i]}`, performance.now()]);
      writes.push(
        rest.request(
          'PATCH',
          path(i),
          { data: { calls: String(calls[i]) } },
          'application/merge-patch+json',
        ),
      );
    }
    await Promise.all(writes);
    await sleep(1500);
    const runCpu = (cpu() - run0) / ((performance.now() - t0) / 1000);
    stop.abort();
    const ms = sentAt.flatMap(([key, at]) => {
      const seen = seenAt.get(key);
      return seen === undefined ? [] : [seen - at];
    });
    ms.sort((a, b) => a - b);
    return {
      design: 'object',
      pods,
      changesPerSecond: RATE,
      changes: total,
      seen: ms.length,
      p50Ms: round(percentile(ms, 50)),
      p95Ms: round(percentile(ms, 95)),
      p99Ms: round(percentile(ms, 99)),
      apiServerAndEtcdCpuIdlePercentOfCore: round(idleCpu * 100, 2),
      apiServerAndEtcdCpuUnderChangesPercentOfCore: round(runCpu * 100, 2),
      apiWritesPerSecond: RATE,
    };
  } finally {
    await plane.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'voicefleet-load-signal-'));
  const runs: object[] = [];
  try {
    for (const pods of SIZES) {
      for (const mode of ['stream', 'poll'] as const) {
        const r = await httpDesign(mode, pods, work);
        process.stderr.write(`${JSON.stringify(r)}\n`);
        runs.push(r);
      }
    }
    const o = await objectDesign(OBJECT_PODS);
    process.stderr.write(`${JSON.stringify(o)}\n`);
    runs.push(o);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const result = {
    runs,
    details: {
      runSeconds: RUN_S,
      idleSeconds: IDLE_S,
      pollIntervalMs: 1000,
      streamHeartbeatMs: 15_000,
      loadAverage1m: loadavg()[0],
      cpus: cpus().length,
      node: process.version,
      benchSeconds: Math.round((Date.now() - started) / 1000),
    },
  };
  writeFileSync(
    join(root, 'bench/results/load-signal.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
