// A real Kubernetes control plane for integration tests: etcd, kube-apiserver and
// kube-controller-manager on loopback, free ports, a temp dir, a static admin token, RBAC on.
// There are no nodes: Deployments get ReplicaSets and Pods, which stay Pending; garbage
// collection of owner references runs.
import { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCerts } from './certs.js';
import { findControlPlaneDir } from './control-plane-binaries.js';
import {
  freePorts,
  spawnProcess,
  waitUntilReady,
  type ManagedProcess,
} from '@voicefleet/devtools/processes';
import { recordPids, startWatchdog } from './watchdog.js';

export interface ControlPlaneOptions {
  /** Directory of the binaries (default: see findControlPlaneDir). */
  binDir?: string;
  /** Start kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** kube-apiserver's watch cache (default true); false sends watches straight to etcd. */
  watchCache?: boolean;
  extraApiServerArgs?: readonly string[];
  /** More kube-controller-manager flags; a flag given again here wins (e.g. `--kube-api-qps`). */
  extraControllerManagerArgs?: readonly string[];
  /** kube-controller-manager controllers to leave off besides those no node-less plane needs. */
  disableControllers?: readonly string[];
  /** Per component start-up bound (default 60 s: the machine may be busy). */
  startTimeoutMs?: number;
}

export interface ControlPlane {
  /** Temp dir holding certificates, data and `<component>.log`. */
  dir: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Bearer token of `admin` (group `system:masters`). */
  token: string;
  etcdUrl: string;
  /** A client config for the same server authenticating with another bearer token. */
  kubeConfigFor(token: string): KubeConfig;
  /** Kills kube-apiserver and starts it again on the same port; resolves when /readyz is 200. */
  restartApiServer(): Promise<void>;
  /**
   * Stops kube-apiserver and leaves it down until `startApiServer`: for an outage whose length
   * the test decides, where a restart would last however long the machine takes.
   */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again after `stopApiServer`; resolves when /readyz is 200. */
  startApiServer(): Promise<void>;
  /** Compacts etcd at its current revision and returns that revision. */
  compactEtcd(): Promise<number>;
  /** Stops every process (by PID) and removes the temp dir. */
  stop(): Promise<void>;
}

const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Controllers that need a cloud, kubelets or certificate bootstrap: useless without nodes. */
const DISABLED_CONTROLLERS = [
  'bootstrap-signer-controller',
  'token-cleaner-controller',
  'cloud-node-lifecycle-controller',
  'node-route-controller',
  'service-lb-controller',
  'node-ipam-controller',
  'persistentvolume-attach-detach-controller',
];

function probeHttps(url: string, ca: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function probeHttp(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok;
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'voicefleet-test',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'voicefleet-test', context: { cluster: 'voicefleet-test', user: 'admin' } }],
    'current-context': 'voicefleet-test',
  });
}

async function etcdPost(etcdUrl: string, path: string, body: object): Promise<unknown> {
  const res = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Starts etcd, kube-apiserver and (by default) kube-controller-manager. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const found = options.binDir !== undefined ? { dir: options.binDir } : findControlPlaneDir();
  if (!('dir' in found)) throw new Error(`cannot start a control plane: ${found.missing}`);
  try {
    return await startOnce(found.dir, options);
  } catch (error) {
    // A free port can be taken by another suite between our probe and the bind: try once more.
    if (!/address already in use/i.test(String((error as Error).message))) throw error;
    return startOnce(found.dir, options);
  }
}

async function startOnce(binDir: string, options: ControlPlaneOptions): Promise<ControlPlane> {
  const bin = (name: string) => join(binDir, name);
  const timeoutMs = options.startTimeoutMs ?? 60_000;

  const dir = mkdtempSync(join(tmpdir(), 'voicefleet-cp-'));
  startWatchdog(dir);
  const procs = new Map<string, ManagedProcess>();
  const track = (p: ManagedProcess) => {
    procs.set(p.name, p);
    recordPids(
      dir,
      [...procs.values()].filter((q) => q.isRunning()).map((q) => q.pid),
    );
    return p;
  };
  const stopAll = async () => {
    for (const name of ['kube-controller-manager', 'kube-apiserver', 'etcd']) {
      // The data dies with the plane: no need for a graceful shutdown.
      await procs.get(name)?.stop({ signal: 'SIGKILL' });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcdArgs = [
      '--name=voicefleet-test',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=voicefleet-test=${peerUrl}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ];
    const etcd = track(
      spawnProcess({
        name: 'etcd',
        command: bin('etcd'),
        args: etcdArgs,
        logPath: join(dir, 'etcd.log'),
      }),
    );
    const certs = await generateCerts(dir);
    await waitUntilReady(etcd, () => probeHttp(`${etcdUrl}/health`), { timeoutMs });

    const token = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`);
    const server = `https://127.0.0.1:${apiPort}`;
    const caPem = readFileSync(certs.caCert, 'utf8');
    mkdirSync(join(dir, 'apiserver-certs'));
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${certs.serverCert}`,
      `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${SA_ISSUER}`,
      `--service-account-key-file=${certs.serviceAccountPub}`,
      `--service-account-signing-key-file=${certs.serviceAccountKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      `--watch-cache=${options.watchCache ?? true}`,
      ...(options.extraApiServerArgs ?? []),
    ];
    const startApiServer = async () => {
      const api = track(
        spawnProcess({
          name: 'kube-apiserver',
          command: bin('kube-apiserver'),
          args: apiArgs,
          logPath: join(dir, 'kube-apiserver.log'),
        }),
      );
      await waitUntilReady(api, () => probeHttps(`${server}/readyz`, caPem, token), { timeoutMs });
    };
    // Graceful first; open watches can hold a graceful shutdown for a minute.
    const stopApiServer = async () => {
      await procs.get('kube-apiserver')?.stop({ timeoutMs: 2_000 });
    };
    await startApiServer();

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, caPem, token));
    if (options.controllerManager ?? true) {
      const kcmArgs = [
        `--kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false',
        '--secure-port=0',
        `--controllers=*,${[...DISABLED_CONTROLLERS, ...(options.disableControllers ?? [])].map((c) => `-${c}`).join(',')}`,
        '--use-service-account-credentials=false',
        `--service-account-private-key-file=${certs.serviceAccountKey}`,
        `--root-ca-file=${certs.caCert}`,
        `--cluster-signing-cert-file=${certs.caCert}`,
        `--cluster-signing-key-file=${certs.caKey}`,
        '--kube-api-qps=100',
        '--kube-api-burst=200',
        ...(options.extraControllerManagerArgs ?? []),
      ];
      track(
        spawnProcess({
          name: 'kube-controller-manager',
          command: bin('kube-controller-manager'),
          args: kcmArgs,
          logPath: join(dir, 'kube-controller-manager.log'),
        }),
      );
    }

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    return {
      dir,
      kubeconfigPath,
      kubeConfig,
      server,
      token,
      etcdUrl,
      kubeConfigFor(otherToken) {
        const kc = new KubeConfig();
        kc.loadFromString(kubeconfigYaml(server, caPem, otherToken));
        return kc;
      },
      async restartApiServer() {
        await stopApiServer();
        await startApiServer();
      },
      stopApiServer,
      startApiServer,
      async compactEtcd() {
        const range = (await etcdPost(etcdUrl, '/v3/kv/range', {
          key: Buffer.from('/').toString('base64'),
          range_end: Buffer.from('0').toString('base64'),
          count_only: true,
        })) as { header?: { revision?: string } };
        const revision = Number(range.header?.revision);
        if (!Number.isFinite(revision)) throw new Error('etcd range: no revision in the answer');
        await etcdPost(etcdUrl, '/v3/kv/compaction', {
          revision: String(revision),
          physical: true,
        });
        return revision;
      },
      stop: stopAll,
    };
  } catch (cause) {
    await stopAll();
    throw new Error(`start control plane: ${(cause as Error).message}`, { cause });
  }
}
