// The pod side of bench:kwok: kwok runs the media pods only as API objects, so this process
// plays every pod's media node where the operator looks for it. For each media pod kwok runs (a
// loopback pod IP from its node's podCIDR), the media node's own HTTP server listens on that IP
// and the container port named `http`, so `GET /status?watch=1` is the real stream with the real
// status line. Told `go`, it drives a synthetic call load per agent that rises to PEAK calls,
// holds, and falls to LOW: a call goes to the agent's serving pod with the fewest calls that has a
// free slot (as the edge's call-load dispatcher does) and waits while none has; calls end round
// robin over the agent's pods. Each placed call that makes the calls plus the buffer ask for more
// pods than before is written to BREACHES as a line `{ agent, replicas, at }` (the moment its
// status line went to the operator). Prints `ready`, `risen`, `fallen` and a `stats` line on
// stdin's `stats`. Usage: pods.ts KUBECONFIG NAMESPACE SCHEDULE_JSON BREACHES
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Server } from 'node:http';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { AGENT_LABEL } from '@voicefleet/api';
import { CallEventBus } from '../../media-node/src/core/call-events.js';
import type { NodeStatus } from '../../media-node/src/core/media-node.js';
import { startOpsServer } from '../../media-node/src/node/http-server.js';
import { createJsonLogger } from '../../media-node/src/telemetry/log.js';
import { Informer } from '../../operator/src/kube/informer.js';
import { statusTarget } from '../../operator/src/scaling/media-pods.js';
import { wantedReplicas, type PoolPolicy } from '../../operator/src/scaling/pool-scaler.js';

export interface Schedule {
  policy: PoolPolicy;
  peakCalls: number;
  lowCalls: number;
  riseSeconds: number;
  fallSeconds: number;
  /** Agents start their rise spread over this many seconds. */
  spreadSeconds: number;
  /** At most this long at the peak waiting for every agent's calls to be placed. */
  holdMaxSeconds: number;
}

const [kubeconfig = '', namespace = 'fleet', scheduleJson = '{}', breachesPath = '/dev/null'] =
  process.argv.slice(2);
const schedule = JSON.parse(scheduleJson) as Schedule;
const { policy } = schedule;
const TICK_MS = 100;
const log = createJsonLogger({ level: 'error' });

interface SimPod {
  name: string;
  agent: string;
  ip: string;
  calls: number;
  bus: CallEventBus;
  server?: Server;
  closed: boolean;
}

interface SimAgent {
  pods: Map<string, SimPod>;
  /** Replicas the calls placed so far ask for (the most recent breach). */
  wanted: number;
  index: number;
}

const pods = new Map<string, SimPod>();
const agents = new Map<string, SimAgent>();
const breaches = createWriteStream(breachesPath);
const counters = { listenErrors: 0, callsOnRemovedPods: 0, waitingMax: 0, peakPods: 0 };

const agentOf = (name: string): SimAgent => {
  let a = agents.get(name);
  if (a === undefined) agents.set(name, (a = { pods: new Map(), wanted: 0, index: agents.size }));
  return a;
};

const status = (p: SimPod): NodeStatus => ({
  activeCalls: p.calls,
  capacity: policy.callsPerPod,
  draining: false,
  accepting: p.calls < policy.callsPerPod,
  inProgress: {
    calls: p.calls,
    settingUp: 0,
    answeredOnArrival: 0,
    dialogs: p.calls,
    serverTransactions: 0,
    clientTransactions: 0,
  },
});

async function serve(pod: V1Pod): Promise<void> {
  const target = statusTarget(pod);
  const name = pod.metadata?.name ?? '';
  const agent = pod.metadata?.labels?.[AGENT_LABEL];
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (target === undefined || agent === undefined || !ready || pods.has(name)) return;
  if (pod.metadata?.deletionTimestamp !== undefined) return;
  const url = new URL(target.url);
  if (!url.hostname.startsWith('127.'))
    throw new Error(`pod ${name} has no loopback IP: ${url.hostname}`);
  const sim: SimPod = { name, agent, ip: url.hostname, calls: 0, bus: new CallEventBus(), closed: false }; // prettier-ignore
  pods.set(name, sim);
  // An address kwok just released may still be held by the pod that had it: try a few times.
  for (let attempt = 0; attempt < 20 && !sim.closed; attempt++) {
    try {
      const server = await startOpsServer(
        {
          status: () => status(sim),
          drain: () => undefined,
          placeCall: () => Promise.reject(new Error('simulated pod')),
          outboundCall: () => undefined,
          cancelCall: () => Promise.resolve(undefined),
          events: sim.bus,
          log,
        },
        sim.ip,
        Number(url.port),
      );
      if (sim.closed) server.close();
      else sim.server = server;
      break;
    } catch {
      counters.listenErrors++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (!sim.closed && sim.server !== undefined) {
    agentOf(agent).pods.set(name, sim);
    counters.peakPods = Math.max(counters.peakPods, pods.size);
  }
}

function remove(name: string): void {
  const sim = pods.get(name);
  if (sim === undefined) return;
  pods.delete(name);
  sim.closed = true;
  counters.callsOnRemovedPods += sim.calls;
  agents.get(sim.agent)?.pods.delete(name);
  sim.server?.closeAllConnections();
  sim.server?.close();
}

const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const informer = Informer.forResource<V1Pod & { metadata: { name: string } }>(kc, {
  group: '',
  version: 'v1',
  plural: 'pods',
  namespace,
  labelSelector: AGENT_LABEL,
});
const onPod = (pod: V1Pod): void => {
  if (pod.metadata?.deletionTimestamp !== undefined) remove(pod.metadata.name ?? '');
  else void serve(pod);
};
informer.on('add', onPod);
informer.on('update', (_old, pod) => onPod(pod));
informer.on('delete', (pod) => remove(pod.metadata.name));
const stop = new AbortController();
const running = informer.run(stop.signal);
await informer.waitForSync();

const placed = (a: SimAgent): number => [...a.pods.values()].reduce((n, p) => n + p.calls, 0);

function clampWanted(calls: number): number {
  return Math.min(policy.maxReplicas, Math.max(policy.minReplicas, wantedReplicas(calls, policy)));
}

/** One call more on the agent's emptiest serving pod with a free slot; false when none has one. */
function placeCall(a: SimAgent, agentName: string, seq: number): boolean {
  let best: SimPod | undefined;
  for (const p of a.pods.values()) {
    if (p.calls < policy.callsPerPod && (best === undefined || p.calls < best.calls)) best = p;
  }
  if (best === undefined) return false;
  best.calls++;
  best.bus.publish({ type: 'call.started', callId: `c${seq}`, direction: 'inbound' });
  const wanted = clampWanted(placed(a));
  if (wanted > a.wanted) {
    a.wanted = wanted;
    breaches.write(`${JSON.stringify({ agent: agentName, replicas: wanted, at: Date.now() })}\n`);
  }
  return true;
}

/** One call fewer, from the next pod in turn that has one. */
function endCall(a: SimAgent, turn: number, seq: number): void {
  const list = [...a.pods.values()].filter((p) => p.calls > 0);
  const p = list[turn % Math.max(1, list.length)];
  if (p === undefined) return;
  p.calls--;
  p.bus.publish({ type: 'call.ended', callId: `c${seq}`, reason: 'caller-bye' });
  a.wanted = Math.min(a.wanted, clampWanted(placed(a)));
}

/** Calls an agent should have `t` ms after `go`: up, hold, down, each agent shifted by its index. */
function target(a: SimAgent, t: number, fallAt: number | undefined): number {
  const shift = ((a.index % 100) / 100) * schedule.spreadSeconds * 1000;
  if (fallAt === undefined) {
    const up = Math.min(1, Math.max(0, (t - shift) / (schedule.riseSeconds * 1000)));
    return Math.round(up * schedule.peakCalls);
  }
  const down = Math.min(1, Math.max(0, (t - fallAt - shift) / (schedule.fallSeconds * 1000)));
  return Math.round(schedule.peakCalls - down * (schedule.peakCalls - schedule.lowCalls));
}

async function drive(): Promise<void> {
  const start = Date.now();
  let fallAt: number | undefined;
  let seq = 0;
  let turn = 0;
  const riseEnd = (schedule.riseSeconds + schedule.spreadSeconds + schedule.holdMaxSeconds) * 1000;
  const fallEnd = (schedule.fallSeconds + schedule.spreadSeconds) * 1000;
  for (;;) {
    const t = Date.now() - start;
    let waiting = 0;
    let settled = true;
    for (const [name, a] of agents) {
      const want = target(a, t, fallAt);
      let have = placed(a);
      while (have < want && placeCall(a, name, seq++)) have++;
      for (; have > want; have--) endCall(a, turn++, seq++);
      waiting += want - have;
      if (have !== (fallAt === undefined ? schedule.peakCalls : schedule.lowCalls)) settled = false;
    }
    counters.waitingMax = Math.max(counters.waitingMax, waiting);
    if (fallAt === undefined && (settled || t > riseEnd)) {
      process.stdout.write(`${JSON.stringify({ phase: 'risen', settled, waiting })}\n`);
      fallAt = t;
    } else if (fallAt !== undefined && (settled || t - fallAt > fallEnd)) {
      process.stdout.write(`${JSON.stringify({ phase: 'fallen', settled })}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
}

process.stdout.write(`${JSON.stringify({ phase: 'ready' })}\n`);
let driving: Promise<void> | undefined;
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') driving ??= drive();
  if (line === 'stats') {
    const calls = [...agents.values()].reduce((n, a) => n + placed(a), 0);
    process.stdout.write(`${JSON.stringify({ phase: 'stats', pods: pods.size, calls, ...counters })}\n`); // prettier-ignore
  }
  if (line === 'exit') break;
}
await driving;
await new Promise<void>((resolve) => breaches.end(resolve));
stop.abort();
await running.catch(() => undefined);
for (const name of [...pods.keys()]) remove(name);
process.exit(0);
