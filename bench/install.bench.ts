// Installed benchmark: the README's helm install on the real single-node cluster (images built and
// loaded first, not timed), then what a platform team waits for:
//   helmInstallToFirstCallSeconds  `helm install` started -> first call answered through the
//                                  edge's NodePort (the examples applied right after the install)
//   firstCallSetupMs               that call's INVITE -> 200 OK at the caller
//   podReadyToRoutableP95Ms        a new media pod's Ready (seen by polling the API every 100 ms)
//                                  -> active in every edge's dispatcher (polled every 50 ms), p95
//                                  over the pods added by raising minReplicas from 1 to 5
//   imageSizesMiB                  the three images as Docker reports them
// Targets on this machine: first call within 60 s, p95 within 2 s. Writes
// bench/results/install.json. Run (root, like the installed tier): npm run bench:install
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { placeTestCall, type TestCallResult } from '@voicefleet/devtools/caller';
import { waitFor } from '@voicefleet/devtools/processes';
import { EdgeWriter, KamailioRpcClient } from '../operator/src/edge/index.js';
import { helmBinary } from '../test/chart-helm.js';
import { buildImages, imageRef, imageSizesMiB } from '../test/harness/images.js';
import { NODE_IP, startRealCluster, type RealCluster } from '../test/harness/real-cluster.js';
import {
  LOCAL_CLUSTER_VALUES,
  readmeHelmArgs,
  readmeInstall,
} from '../test/harness/readme-install.js';

const root = new URL('..', import.meta.url).pathname;
const NS = 'voicefleet';
const NUMBER = '+14155550100';
const POOL_SELECTOR = 'app.kubernetes.io/name=voicefleet-media-node';
const SCALE_TO = 5;

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function helm(cluster: RealCluster, args: readonly string[]): Promise<string> {
  if (helmBinary === undefined) throw new Error('helm not found: run bash scripts/ensure-helm.sh');
  return new Promise((resolve, reject) => {
    execFile(
      helmBinary!,
      [...args, '--kubeconfig', cluster.kubeconfigPath],
      { timeout: 300_000 },
      (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
    );
  });
}

async function main(): Promise<void> {
  buildImages();
  const cluster = await startRealCluster();
  try {
    await cluster.loadImages([imageRef('operator'), imageRef('edge'), imageRef('media-node')]);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const { apply } = readmeInstall();

    const listPods = async () =>
      (await core.listNamespacedPod({ namespace: 'default', labelSelector: POOL_SELECTOR })).items;
    const installStarted = Date.now();
    await helm(cluster, [
      ...readmeHelmArgs(),
      ...LOCAL_CLUSTER_VALUES,
      '--wait',
      '--timeout',
      '4m',
    ]);
    await cluster.kubectl(apply.slice(1).map((a) => (a.startsWith('crds/') ? join(root, a) : a)));
    const svc = await core.readNamespacedService({ name: 'voicefleet-edge', namespace: NS });
    const nodePort = svc.spec?.ports?.find((p) => p.name === 'sip-udp')?.nodePort ?? 0;
    const first = await waitFor(
      async () => {
        const r: TestCallResult = await placeTestCall({
          edgeUri: `sip:${NODE_IP}:${nodePort}`,
          number: NUMBER,
          steps: [],
          nodeUrls: (await listPods()).flatMap((p) =>
            p.status?.podIP ? [`http://${p.status.podIP}:8080`] : [],
          ),
          replyTimeoutMs: 10_000,
        });
        return r.answered ? r : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500, message: 'first call answered' },
    );
    const helmInstallToFirstCallSeconds = (Date.now() - installStarted) / 1000;

    // Every edge pod's dispatcher, read with the chart's RPC token.
    const secret = await core.readNamespacedSecret({ name: 'voicefleet-edge-rpc', namespace: NS });
    const token = Buffer.from(secret.data?.['token'] ?? '', 'base64').toString();
    const edgePods = await core.listNamespacedPod({
      namespace: NS,
      labelSelector: 'app.kubernetes.io/component=edge',
    });
    const edges = edgePods.items.map(
      (p) =>
        new EdgeWriter(
          new KamailioRpcClient({
            name: p.metadata?.name ?? '',
            rpcUrl: `http://${p.status?.podIP}:5090/RPC`,
            token,
          }),
        ),
    );
    const before = new Set((await listPods()).map((p) => p.metadata?.name));
    await cluster.kubectl([
      'patch', 'voiceagent', 'front-desk', '--type=json', '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/regions/0/minReplicas', value: SCALE_TO }]),
    ]); // prettier-ignore
    const readyAt = new Map<string, number>();
    const ipOf = new Map<string, string>();
    const routableAt = new Map<string, number>();
    const deadline = Date.now() + 240_000;
    let lastApiPoll = 0;
    while (routableAt.size < SCALE_TO - before.size && Date.now() < deadline) {
      if (Date.now() - lastApiPoll >= 100) {
        lastApiPoll = Date.now();
        for (const p of await listPods()) {
          const name = p.metadata?.name ?? '';
          const ready = p.status?.conditions?.some(
            (c) => c.type === 'Ready' && c.status === 'True',
          );
          if (before.has(name) || !ready || readyAt.has(name)) continue;
          readyAt.set(name, Date.now());
          ipOf.set(name, p.status?.podIP ?? '');
        }
      }
      const health = await Promise.all(edges.map((e) => e.health()));
      const now = Date.now();
      for (const [name, ip] of ipOf) {
        if (routableAt.has(name)) continue;
        const active = health.every((h) =>
          h.some((d) => d.uri.startsWith(`sip:${ip}:`) && d.flag === 'A'),
        );
        if (active) routableAt.set(name, now);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const gaps = [...routableAt].map(([name, at]) => at - (readyAt.get(name) ?? at));
    const out = {
      date: new Date().toISOString(),
      loadavg1m: loadavg()[0],
      helmInstallToFirstCallSeconds,
      firstCallSetupMs: first.setupMs,
      podReadyToRoutableP95Ms: percentile(gaps, 95),
      podReadyToRoutableMs: gaps.sort((a, b) => a - b),
      podsMeasured: gaps.length,
      podsExpected: SCALE_TO - before.size,
      imageSizesMiB: imageSizesMiB(),
      targets: { helmInstallToFirstCallSeconds: 60, podReadyToRoutableP95Ms: 2000 },
    };
    console.log(JSON.stringify(out, null, 2));
    await mkdir(join(root, 'bench/results'), { recursive: true });
    await writeFile(join(root, 'bench/results/install.json'), `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await cluster.stop();
  }
}

await main();
