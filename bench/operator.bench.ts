// Operator benchmark: 1000 VoiceAgents (one region each) against a real API server and
// controller manager on this machine. Measures the time until every agent is reconciled
// (observedGeneration == generation and all four children exist), the operator's API writes in a
// minute of steady state (after convergence, once the controller manager has created every pod;
// its own write counter and the API server's audit log), and its peak RSS. Baseline in the same
// run: a bare client creating the same 4000 children with the same parallelism. Writes
// bench/results/operator.json. Run: npm run bench:operator
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideVoiceAgent } from '../operator/src/voice-agent/decide-voice-agent.js';
import { applyVoiceAgentDefaults, type VoiceAgent } from '../api/src/index.js';
import type { Stored } from '../operator/src/kube/stored.js';
import { Informer } from '../operator/src/kube/informer.js';
import { bundleOperator, cpuSeconds, pool } from './lib/operator-run.js';
import {
  KIND_RESOURCES,
  createKubeRest,
  namespacedPath,
  type KubeRest,
} from '../operator/src/kube/kube-rest.js';
import { startControlPlane } from '../test/harness/control-plane.js';
import { agentManifest, installCrds, startOperator } from '../test/operator-helpers.js';

const AGENTS = Number(process.env['VOICEFLEET_BENCH_AGENTS'] ?? 1000);
const CLIENT_PARALLELISM = 16;
const OPERATOR_WORKERS = 8;
const CONVERGE_LIMIT_MS = 300_000;
const STEADY_WINDOW_MS = 60_000;
const SETTLE_LIMIT_MS = 300_000;
const root = new URL('..', import.meta.url).pathname;

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

interface AuditEvent {
  verb: string;
  stage: string;
  user?: { username?: string };
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string };
  requestReceivedTimestamp: string;
}

/** Write requests in [from, to) that did not come from kube-controller-manager. */
function auditWrites(
  path: string,
  from: number,
  to: number,
): { total: number; byResource: Record<string, number> } {
  const byResource: Record<string, number> = {};
  let total = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as AuditEvent;
    if (e.stage !== 'ResponseComplete') continue;
    if (e.user?.username !== 'admin') continue;
    if ((e.userAgent ?? '').startsWith('kube-controller-manager')) continue;
    const t = Date.parse(e.requestReceivedTimestamp);
    if (t < from || t >= to) continue;
    const r = `${e.verb} ${e.objectRef?.resource ?? ''}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} (${(e.userAgent ?? '').split(' ')[0] ?? ''})`;
    byResource[r] = (byResource[r] ?? 0) + 1;
    total++;
  }
  return { total, byResource };
}

interface ListResponse {
  items?: {
    metadata?: { generation?: number; name?: string };
    status?: { observedGeneration?: number };
  }[];
}

/** The fewest children of one kind (ConfigMap, Service, PDB, Deployment) that exist. */
async function countChildren(rest: KubeRest, namespace: string): Promise<number> {
  const selector = `?labelSelector=${encodeURIComponent('app.kubernetes.io/managed-by=voicefleet')}`;
  const counts = await Promise.all(
    (
      [
        ['v1', 'configmaps'],
        ['v1', 'services'],
        ['policy/v1', 'poddisruptionbudgets'],
        ['apps/v1', 'deployments'],
      ] as const
    ).map(
      async ([v, plural]) =>
        (
          (await rest.request(
            'GET',
            namespacedPath(v, plural, namespace) + selector,
          )) as ListResponse
        ).items?.length ?? 0,
    ),
  );
  return Math.min(...counts);
}

interface DeploymentList {
  items?: {
    metadata?: { generation?: number };
    spec?: { replicas?: number };
    status?: { observedGeneration?: number; replicas?: number };
  }[];
}

/** Waits until every Deployment of the namespace has all its pods and its status is current. */
async function deploymentsSettled(rest: KubeRest, namespace: string, count: number): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let settled = 0;
  while (Date.now() < deadline) {
    const list = (await rest.request(
      'GET',
      namespacedPath('apps/v1', 'deployments', namespace),
    )) as DeploymentList;
    settled = (list.items ?? []).filter(
      (d) =>
        d.status?.observedGeneration === d.metadata?.generation &&
        d.status?.replicas === d.spec?.replicas,
    ).length;
    if (settled === count) return;
    await sleep(2000);
  }
  throw new Error(`${settled}/${count} Deployments settled after ${SETTLE_LIMIT_MS} ms`);
}

async function main(): Promise<void> {
  const benchStarted = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'voicefleet-bench-'));
  const auditPolicy = join(work, 'audit-policy.yaml');
  const auditLog = join(work, 'audit.log');
  writeFileSync(
    auditPolicy,
    [
      'apiVersion: audit.k8s.io/v1',
      'kind: Policy',
      'omitStages: [RequestReceived]',
      'rules:',
      '  - level: Metadata',
      '    verbs: [create, update, patch, delete, deletecollection]',
      '  - level: None',
      '',
    ].join('\n'),
  );
  const plane = await startControlPlane({
    extraApiServerArgs: [
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLog}`,
      '--audit-log-maxsize=1024',
    ],
  });
  let operator: Awaited<ReturnType<typeof startOperator>> | undefined;
  try {
    const kc = plane.kubeConfig;
    await installCrds(kc);
    // The bench's own client: keep-alive connections, like the operator's writes.
    const rest = createKubeRest(kc);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'bench' } } });
    await core.createNamespace({ body: { metadata: { name: 'baseline' } } });

    // The operator as it ships: main.ts bundled to one ES module, run by plain node.
    const bundle = join(work, 'operator.mjs');
    await bundleOperator(bundle);
    // For reference: idle RSS of the development form (TypeScript through the tsx loader).
    const dev = await startOperator(
      plane.kubeconfigPath,
      work,
      ['--regions', 'us-east-1', '--namespace', 'idle', '--no-leader-election'],
      'operator-tsx',
    );
    await sleep(5000);
    const tsxIdleRssMiB = peakRssMiB(dev.proc.pid);
    await dev.proc.stop();

    operator = await startOperator(
      plane.kubeconfigPath,
      work,
      [
        '--regions',
        'us-east-1',
        '--namespace',
        'bench',
        '--workers',
        String(OPERATOR_WORKERS),
        ...(process.env['VOICEFLEET_BENCH_LEADER_ELECTION'] === 'true'
          ? []
          : ['--no-leader-election']),
      ],
      'operator',
      [bundle],
    );
    await sleep(3000);
    const idleRssMiB = peakRssMiB(operator.proc.pid);
    const names = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i).padStart(4, '0')}`);

    // Operator: create the agents, wait until every one is reconciled with all children.
    const trackerStop = new AbortController();
    const tracker = Informer.forResource<Stored<VoiceAgent>>(kc, {
      group: 'voicefleet.io',
      version: 'v1alpha1',
      plural: 'voiceagents',
      namespace: 'bench',
    });
    const tracking = tracker.run(trackerStop.signal);
    await tracker.waitForSync();
    const t0 = Date.now();
    await pool(names, CLIENT_PARALLELISM, (name) =>
      rest.request(
        'POST',
        namespacedPath('voicefleet.io/v1alpha1', 'voiceagents', 'bench'),
        agentManifest(name, [`+1415${String(5_000_000 + names.indexOf(name)).padStart(7, '0')}`], {
          namespace: 'bench',
        }),
      ),
    );
    const createdMs = Date.now() - t0;
    // observedGeneration is written after the children in the same pass: follow the agents with a
    // watch (no polling load on the API server), then confirm the children once.
    const progress = { reconciled: 0, children: 0 };
    while (Date.now() - t0 < CONVERGE_LIMIT_MS) {
      progress.reconciled = tracker
        .list()
        .filter((a) => a.status?.observedGeneration === a.metadata.generation).length;
      if (progress.reconciled === AGENTS) {
        progress.children = await countChildren(rest, 'bench');
        if (progress.children === AGENTS) break;
      }
      await sleep(250);
    }
    const convergeMs = Date.now() - t0;
    const convergeCpuSeconds = cpuSeconds(operator.proc.pid);
    if (progress.reconciled !== AGENTS || progress.children !== AGENTS) {
      throw new Error(`not converged after ${CONVERGE_LIMIT_MS} ms: ${JSON.stringify(progress)}`);
    }
    trackerStop.abort();
    await tracking;
    console.log(`converged in ${convergeMs} ms (agents created in ${createdMs} ms)`);

    // Steady state: the minute after convergence, once the controller manager has finished the
    // work the new Deployments gave it (ReplicaSets, pods, their status). Until then each pod it
    // creates changes a Deployment's status, and the agent's status with it: real changes, not
    // steady writes.
    const settleStart = Date.now();
    await deploymentsSettled(rest, 'bench', AGENTS);
    const controllerManagerSettledMs = Date.now() - settleStart;
    console.log(`controller manager settled ${controllerManagerSettledMs} ms after convergence`);
    const writesMetric = () => operator!.metric('voicefleet_operator_api_writes_total');
    const reconcilesMetric = () => operator!.metric('voicefleet_operator_reconcile_total');
    const w0 = await writesMetric();
    const r0 = await reconcilesMetric();
    const s0 = Date.now();
    await sleep(STEADY_WINDOW_MS);
    const s1 = Date.now();
    const steadyMetricWrites = (await writesMetric()) - w0;
    const steadyReconciles = (await reconcilesMetric()) - r0;
    await sleep(2000); // audit log flush
    const audit = auditWrites(auditLog, s0, s1);
    const totalWrites = await writesMetric();
    const rssMiB = peakRssMiB(operator.proc.pid);
    await operator.proc.stop();
    operator = undefined;

    // Baseline: a bare client creating the same 4000 children with the same parallelism.
    const children: KubernetesObject[] = names.flatMap((name, i) => {
      const agent = agentManifest(name, [`+1416${String(5_000_000 + i).padStart(7, '0')}`], {
        namespace: 'baseline',
      }) as unknown as Stored<VoiceAgent>;
      agent.metadata = {
        name,
        namespace: 'baseline',
        uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
        generation: 1,
      };
      return decideVoiceAgent({
        agent: applyVoiceAgentDefaults(agent),
        specErrors: [],
        references: { trunks: new Map(), secrets: new Map() },
        ownedRegions: ['us-east-1'],
        lostNumbers: [],
        deployments: new Map(),
        pods: new Map(),
        statusWrittenAt: undefined,
        options: {
          image: 'voicefleet/media-node:0.1.0',
          multiRegionCluster: false,
          edgeUri: 'sip:10.96.0.10:5070',
        },
        now: new Date(),
      }).children.map((c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: [] } }));
    });
    const b0 = Date.now();
    await pool(children, OPERATOR_WORKERS, (c) =>
      rest.request(
        'PATCH',
        `${namespacedPath(c.apiVersion ?? '', KIND_RESOURCES[c.kind ?? '']?.plural ?? '', 'baseline', c.metadata?.name)}?fieldManager=bench-baseline&force=true`,
        c,
        'application/apply-patch+yaml',
      ),
    );
    const baselineMs = Date.now() - b0;

    const result = {
      agents: AGENTS,
      convergeSeconds: Math.round(convergeMs / 100) / 10,
      steadyWritesPerMinute: Math.max(steadyMetricWrites, audit.total),
      rssMiB,
      baseline: {
        what: `bare client (same keep-alive client) applying the same ${children.length} children with parallelism ${OPERATOR_WORKERS}`,
        seconds: Math.round(baselineMs / 100) / 10,
        convergeRatio: Math.round((convergeMs / baselineMs) * 100) / 100,
      },
      details: {
        controllerManagerSettledSecondsAfterConverge:
          Math.round(controllerManagerSettledMs / 100) / 10,
        convergeSecondsAfterLastCreate: Math.round((convergeMs - createdMs) / 100) / 10,
        agentsCreatedSeconds: Math.round(createdMs / 100) / 10,
        operatorWorkers: OPERATOR_WORKERS,
        clientParallelism: CLIENT_PARALLELISM,
        steadyWritesFromMetric: steadyMetricWrites,
        steadyWritesFromAuditLog: audit.total,
        steadyWritesByResource: audit.byResource,
        steadyReconciles,
        totalOperatorWrites: totalWrites,
        operatorCpuSecondsToConverge: convergeCpuSeconds,
        loadAverage1m: loadavg()[0],
        operatorForm: 'main.ts bundled with esbuild, plain node',
        idleRssMiB,
        tsxIdleRssMiB,
        leaderElection: process.env['VOICEFLEET_BENCH_LEADER_ELECTION'] === 'true',
        cpus: cpus().length,
        node: process.version,
        benchSeconds: Math.round((Date.now() - benchStarted) / 1000),
      },
    };
    writeFileSync(
      join(root, 'bench/results/operator.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (operator !== undefined) await operator.proc.stop();
    await plane.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
