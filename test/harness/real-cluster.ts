// A real single-node Kubernetes for the installed tier: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, containerd (Debian's, CRI) with runc and the CNI bridge,
// kubelet and kube-proxy (iptables mode), all children of the test process and killed by PID in
// stop(). Pods run the project's images, loaded into containerd from Docker (no registry).
//
// Fixed addresses (one such cluster per machine; the suite holds /tmp/voicefleet-cluster.lock):
// bridge vfk8s0 with 10.244.0.1 = node IP = kube-apiserver (:6443) and kubelet (:10250); pods
// 10.244.0.0/24; Services 10.96.0.0/24, routed to the bridge so no packet to them leaves the
// machine. Pods get no egress (no masquerading, Docker's FORWARD policy DROP stays): everything
// they reach is on this machine. Needs root. docs/testing.md has the pitfalls this works around.
// The CNI bridge enforces no NetworkPolicy: with `enforceNetworkPolicy` kube-router's firewall
// (iptables + ipset, built by scripts/ensure-kube-router.sh) runs beside kube-proxy and does.
import { KubeConfig } from '@kubernetes/client-node';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { generateCerts, generateClientCert } from './certs.js';
import { findGoBuiltBinary } from './go-built-binary.js';
import {
  freePorts,
  spawnProcess,
  waitUntilReady,
  type ManagedProcess,
} from '@voicefleet/devtools/processes';
import { recordPids, startWatchdog } from './watchdog.js';

const run = promisify(execFile);
const repoRoot = new URL('../..', import.meta.url).pathname;

export const NODE_IP = '10.244.0.1';
export const NODE_NAME = 'voicefleet-node';
const BRIDGE = 'vfk8s0';
const POD_CIDR = '10.244.0.0/24';
const SVC_CIDR = '10.96.0.0/24';
const API_PORT = 6443;
const RUN_DIR = '/tmp/voicefleet-cluster';
const CLUSTER_LOCK = '/tmp/voicefleet-cluster.lock';
/** The pod sandbox image: a static pause process built here (test/harness/pause.c). */
export const PAUSE_IMAGE = 'voicefleet.invalid/pause:1';
const FORWARD_RULE = [
  'FORWARD', '-i', BRIDGE, '-o', BRIDGE,
  '-m', 'comment', '--comment', 'voicefleet test cluster: pod to pod on the CNI bridge',
  '-j', 'ACCEPT',
]; // prettier-ignore
/** Host settings the cluster needs or kubelet forces; restored by stop(). */
const SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'vm.overcommit_memory': '1',
  'vm.panic_on_oom': '0',
  'kernel.panic': '10',
  'kernel.panic_on_oops': '1',
};
const HOST_PATHS = ['/var/lib/kubelet', '/var/lib/cni', '/var/log/containers'];

export interface RealCluster {
  dir: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  server: string;
  /** kubectl (the cluster's own version) with the admin kubeconfig. */
  kubectl(
    args: readonly string[],
    options?: { input?: string; timeoutMs?: number },
  ): Promise<string>;
  /** Imports Docker images into the node's containerd (skipped when already there). */
  loadImages(refs: readonly string[]): Promise<void>;
  /** Milliseconds from start() to the node Ready with the default ServiceAccount present. */
  readyMs: number;
  stop(): Promise<void>;
}

export interface ClusterBinaries {
  dir: string;
}

function cacheDir(): string {
  return process.env.VOICEFLEET_CACHE ?? join(homedir(), '.cache/voicefleet');
}

const NODE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl', 'crictl']; // prettier-ignore
const HOST_COMMANDS = ['containerd', 'runc', 'ctr', 'iptables', 'ip', 'flock', 'docker'];

function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The binaries' directory, or why the cluster cannot run. Under CI=true the Debian packages and
 * the Kubernetes binaries are installed or built (scripts/ensure-*.sh) instead of skipping.
 */
export function findClusterBinaries(): ClusterBinaries | { missing: string } {
  if (process.getuid?.() !== 0) return { missing: 'the real cluster needs root' };
  const ci = process.env.CI === 'true';
  if (ci) {
    execFileSync('bash', [join(repoRoot, 'scripts/ensure-docker.sh')], { stdio: 'inherit' });
  }
  const noCommand = HOST_COMMANDS.filter((c) => !haveCommand(c));
  if (noCommand.length > 0 || !existsSync('/usr/lib/cni/bridge'))
    return {
      missing: `missing ${[...noCommand, 'CNI plugins'].join(', ')}: run bash scripts/ensure-docker.sh`,
    };
  const script = join(repoRoot, 'scripts/ensure-control-plane.sh');
  const version = /K8S_VERSION:-([0-9.]+)/.exec(readFileSync(script, 'utf8'))?.[1];
  const etcd = /ETCD_VERSION:-([0-9.]+)/.exec(readFileSync(script, 'utf8'))?.[1];
  let dir = join(cacheDir(), `control-plane/k8s-${version}-etcd-${etcd}`);
  const complete = (d: string) => NODE_BINARIES.every((b) => existsSync(join(d, b)));
  if (!complete(dir) && ci) {
    const out = execFileSync('bash', [script, '--node'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    dir = out.trim().split('\n').at(-1) ?? dir;
  }
  if (!complete(dir))
    return {
      missing: `kubelet/kube-scheduler/kube-proxy/kubectl/crictl not in ${dir}: run bash scripts/ensure-control-plane.sh --node`,
    };
  return { dir };
}

/** For `describe(name, { skip: realClusterSkipReason() })`; throws under CI=true. */
export function realClusterSkipReason(): string | false {
  const found = findClusterBinaries();
  if ('dir' in found) return false;
  if (process.env.CI === 'true') throw new Error(`the real cluster cannot run: ${found.missing}`);
  return `skipped: ${found.missing}`;
}

function quiet(cmd: string, args: readonly string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

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

function kubeconfigYaml(server: string, caPem: string, user: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'voicefleet',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'voicefleet', context: { cluster: 'voicefleet', user } }],
    'current-context': 'voicefleet',
  });
}

/** Holds the machine-wide cluster lock in a child process; resolves when it is held. */
async function takeClusterLock(timeoutMs: number): Promise<() => void> {
  // flock --no-fork execs sleep with the locked descriptor: killing that one PID releases it.
  const holder = spawn(
    'flock',
    ['--no-fork', '-w', String(timeoutMs / 1000), CLUSTER_LOCK, 'sleep', '86400'],
    {
      stdio: 'ignore',
    },
  );
  holder.unref();
  const deadline = Date.now() + timeoutMs + 1000;
  while (Date.now() < deadline) {
    if (holder.exitCode !== null)
      throw new Error(`could not take ${CLUSTER_LOCK} (another cluster runs)`);
    // The sleep runs (and so holds the lock) once its command line is sleep's.
    const cmd = readFileSafe(`/proc/${holder.pid}/cmdline`);
    if (cmd.startsWith('sleep')) return () => holder.kill('SIGKILL');
    await sleep(100);
  }
  holder.kill('SIGKILL');
  throw new Error(`could not take ${CLUSTER_LOCK} within ${timeoutMs} ms`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * kube-router's firewall chains (filter table) and address sets. Its own `--cleanup-config`
 * panics in v2.1.0 (in the service proxy's cleanup) before removing anything, so: the jumps from
 * INPUT, FORWARD and OUTPUT, then every chain it made, then its ipsets.
 */
export function removeKubeRouterRules(): void {
  const ours = /^(KUBE-ROUTER-|KUBE-POD-FW-|KUBE-NWPLCY-)/;
  const rules = spawnSync('iptables', ['-S'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of rules.split('\n'))
    if (/^-A (INPUT|FORWARD|OUTPUT) .*-j KUBE-ROUTER-/.test(line))
      spawnSync('sh', ['-c', `iptables -D ${line.slice(3)}`], { stdio: 'ignore' });
  const chains = rules
    .split('\n')
    .filter((l) => l.startsWith('-N '))
    .map((l) => l.slice(3).trim())
    .filter((c) => ours.test(c));
  for (const c of chains) quiet('iptables', ['-F', c]);
  for (const c of chains) quiet('iptables', ['-X', c]);
  const sets = spawnSync('ipset', ['list', '-n'], { encoding: 'utf8' }).stdout ?? '';
  // KUBE-SRC-/KUBE-DST- + 16 base32 characters; TMP- + 16 for its swaps (left by a kill mid-swap).
  const kubeRouterSet = /^(KUBE-SRC-|KUBE-DST-|TMP-)[A-Z2-7]{16}$/;
  for (const set of sets.split('\n').filter((s) => kubeRouterSet.test(s)))
    quiet('ipset', ['destroy', set]);
}

/** Processes whose command line names our containerd socket (its shims), by PID. */
function ourShimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = readFileSafe(`/proc/${entry}/cmdline`).split('\0');
    if (cmd[0]?.endsWith('containerd-shim-runc-v2') && cmd.includes(socket))
      pids.push(Number(entry));
  }
  return pids;
}

/** Every process in kubelet's pod cgroups (`kubepods` in each cgroup v1 hierarchy, or v2). */
function podPids(): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    for (const pid of readFileSafe(join(dir, 'cgroup.procs')).split('\n').filter(Boolean))
      pids.add(Number(pid));
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) walk(join(dir, e));
  };
  for (const h of readdirSync('/sys/fs/cgroup')) walk(join('/sys/fs/cgroup', h, 'kubepods'));
  walk('/sys/fs/cgroup/kubepods');
  return [...pids];
}

/**
 * Undoes everything a cluster leaves on the host: pod sandboxes (through CRI, so CNI releases
 * their addresses), shims, kube-proxy's and kubelet's iptables chains, the bridge, mounts under
 * the run dir, kubelet's cgroups, sysctls. Safe when nothing is there (a previous run killed
 * outright is cleaned by the next start).
 */
async function cleanHost(bin: string, dir: string): Promise<void> {
  const socket = join(dir, 'containerd.sock');
  // Shims and every process of a pod (pause, the containers) outlive a test process killed
  // outright: kill them by PID, the shims found by our socket on their command line, the pods'
  // processes by kubelet's cgroups.
  for (const pid of [...ourShimPids(socket), ...podPids()]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (podPids().length > 0) await sleep(500);
  if (existsSync(join(bin, 'kube-proxy'))) quiet(join(bin, 'kube-proxy'), ['--cleanup']);
  removeKubeRouterRules();
  for (const ipt of ['iptables', 'ip6tables']) {
    for (const table of ['mangle', 'nat', 'filter'])
      for (const chain of ['KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY'])
        quiet(ipt, ['-t', table, '-X', chain]);
    quiet(ipt, ['-t', 'mangle', '-X', 'KUBE-IPTABLES-HINT']);
    for (const chain of ['INPUT', 'OUTPUT'])
      while (quiet(ipt, ['-D', chain, '-j', 'KUBE-FIREWALL'])) {
        /* every copy */
      }
    if (quiet(ipt, ['-F', 'KUBE-FIREWALL'])) quiet(ipt, ['-X', 'KUBE-FIREWALL']);
  }
  while (quiet('iptables', ['-D', ...FORWARD_RULE])) {
    /* every copy */
  }
  const mounts = readFileSafe('/proc/self/mountinfo')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`) || m.startsWith(`${join(cacheDir(), 'cluster')}/`))
    .sort()
    .reverse();
  for (const m of mounts) if (!quiet('umount', [m])) quiet('umount', ['-l', m]);
  for (const link of (
    await run('ip', ['-o', 'link', 'show', 'master', BRIDGE]).catch(() => ({ stdout: '' }))
  ).stdout.split('\n')) {
    const name = link.split(': ')[1]?.split('@')[0];
    if (name) quiet('ip', ['link', 'del', name]);
  }
  quiet('ip', ['link', 'del', BRIDGE]);
  for (const h of readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c, 'kubepods'))) {
    if (existsSync(h))
      spawnSync('find', [h, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';'], {
        stdio: 'ignore',
      });
  }
  if (existsSync('/var/log/containers'))
    spawnSync('find', [
      '/var/log/containers',
      '-maxdepth',
      '1',
      '-type',
      'l',
      '-lname',
      `${dir}/*`,
      '-delete',
    ]);
  rmSync('/var/lib/kubelet/device-plugins/kubelet.sock', { force: true });
  const created = join(RUN_DIR, '..', 'voicefleet-cluster.host-paths');
  for (const p of readFileSafe(created).split('\n').filter(Boolean)) {
    if (existsSync(p)) spawnSync('find', [p, '-depth', '-type', 'd', '-empty', '-delete']);
  }
  rmSync(created, { force: true });
  const saved = join(RUN_DIR, '..', 'voicefleet-cluster.sysctl');
  for (const line of readFileSafe(saved).split('\n').filter(Boolean))
    quiet('sysctl', ['-qw', line]);
  rmSync(saved, { force: true });
  rmSync(dir, { recursive: true, force: true });
}

export interface RealClusterOptions {
  /** Longest wait for the cluster lock (another suite's cluster) in ms (default 15 min). */
  lockTimeoutMs?: number;
  /** Run kube-router's NetworkPolicy firewall (default false: policies are stored, not enforced). */
  enforceNetworkPolicy?: boolean;
}

/** RBAC of the kube-router firewall: it reads pods, namespaces, policies, nodes (and services). */
const KUBE_ROUTER_RBAC = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'test-cluster:kube-router' },
      rules: [
        {
          apiGroups: [''],
          resources: ['pods', 'namespaces', 'nodes', 'services', 'endpoints'],
          verbs: ['get', 'list', 'watch'],
        },
        {
          apiGroups: ['networking.k8s.io', 'discovery.k8s.io'],
          resources: ['networkpolicies', 'endpointslices'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'test-cluster:kube-router' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'test-cluster:kube-router',
      },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-router' },
      ],
    },
  ],
});

/** kube-router (scripts/ensure-kube-router.sh, cached; built under CI=true) and ipset, or why not. */
export function findKubeRouter(): { path: string } | { missing: string } {
  if (!haveCommand('ipset')) return { missing: 'missing ipset: run bash scripts/ensure-docker.sh' };
  return findGoBuiltBinary('kube-router');
}

/** Cleans what a cluster killed outright left on this machine (the next start does it too). */
export async function cleanRealClusterHost(): Promise<void> {
  const found = findClusterBinaries();
  await cleanHost('dir' in found ? found.dir : '', RUN_DIR);
}

/** Starts the cluster; resolves once the node is Ready and `default` has its ServiceAccount. */
export async function startRealCluster(options: RealClusterOptions = {}): Promise<RealCluster> {
  const found = findClusterBinaries();
  if (!('dir' in found)) throw new Error(`cannot start the real cluster: ${found.missing}`);
  const bin = (name: string) => join(found.dir, name);
  const releaseLock = await takeClusterLock(options.lockTimeoutMs ?? 15 * 60_000);
  const t0 = Date.now();
  const dir = RUN_DIR;
  const storeDir = join(cacheDir(), 'cluster/containerd');
  await cleanHost(found.dir, dir);
  mkdirSync(join(dir, 'cni/net.d'), { recursive: true });
  mkdirSync(storeDir, { recursive: true });
  startWatchdog(dir);
  const procs: ManagedProcess[] = [];
  const track = (p: ManagedProcess) => {
    procs.push(p);
    recordPids(
      dir,
      procs.filter((q) => q.isRunning()).map((q) => q.pid),
    );
    return p;
  };
  const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) =>
    track(
      spawnProcess({
        name,
        command,
        args,
        logPath: join(dir, `${name}.log`),
        ...(env ? { env } : {}),
      }),
    );

  const stop = async () => {
    const byName = (n: string) => procs.find((p) => p.name === n);
    for (const n of [
      'kube-router',
      'kube-proxy',
      'kubelet',
      'kube-scheduler',
      'kube-controller-manager',
    ])
      await byName(n)?.stop({ signal: 'SIGKILL' });
    // Pods outlive kubelet: remove them through CRI so CNI releases them and mounts go.
    if (byName('containerd')?.isRunning()) {
      const crictl = [bin('crictl'), '--config', join(dir, 'crictl.yaml'), '--timeout', '20s'];
      const pods = spawnSync(crictl[0]!, [...crictl.slice(1), 'pods', '-q'], { encoding: 'utf8' });
      const ids = pods.stdout?.split('\n').filter(Boolean) ?? [];
      if (ids.length > 0) {
        spawnSync(crictl[0]!, [...crictl.slice(1), 'stopp', ...ids], { stdio: 'ignore' });
        spawnSync(crictl[0]!, [...crictl.slice(1), 'rmp', '-a', '-f'], { stdio: 'ignore' });
      }
    }
    await byName('containerd')?.stop({ timeoutMs: 15_000 });
    for (const n of ['kube-apiserver', 'etcd']) await byName(n)?.stop({ signal: 'SIGKILL' });
    await cleanHost(found.dir, dir);
    releaseLock();
  };

  try {
    // ---- host: sysctls, bridge, routes, one FORWARD rule ----------------------------------
    const saved = join(RUN_DIR, '..', 'voicefleet-cluster.sysctl');
    const originals = Object.keys(SYSCTLS).map(
      (k) => `${k}=${execFileSync('sysctl', ['-n', k], { encoding: 'utf8' }).trim()}`,
    );
    writeFileSync(saved, originals.join('\n') + '\n');
    for (const [k, v] of Object.entries(SYSCTLS)) execFileSync('sysctl', ['-qw', `${k}=${v}`]);
    writeFileSync(
      join(RUN_DIR, '..', 'voicefleet-cluster.host-paths'),
      HOST_PATHS.filter((p) => !existsSync(p)).join('\n') + '\n',
    );
    execFileSync('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    execFileSync('ip', ['addr', 'add', `${NODE_IP}/24`, 'dev', BRIDGE]);
    execFileSync('ip', ['link', 'set', BRIDGE, 'up']);
    execFileSync('ip', ['route', 'replace', SVC_CIDR, 'dev', BRIDGE, 'src', NODE_IP]);
    // dockerd's FORWARD policy is DROP, and bridged pod-to-pod frames cross FORWARD.
    execFileSync('iptables', ['-I', ...FORWARD_RULE]);

    // ---- PKI, tokens, kubeconfigs ----------------------------------------------------------
    const pki = join(dir, 'pki');
    mkdirSync(pki);
    const certs = await generateCerts(pki, [NODE_IP, '127.0.0.1', '10.96.0.1']);
    const kubeletClient = await generateClientCert(
      pki,
      'apiserver-kubelet-client',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
    );
    const caPem = readFileSync(certs.caCert, 'utf8');
    const users = {
      admin: ['admin', 'system:masters'],
      kubelet: [`system:node:${NODE_NAME}`, 'system:nodes'],
      'kube-proxy': ['system:kube-proxy', ''],
      'kube-scheduler': ['system:kube-scheduler', ''],
      'kube-controller-manager': ['system:kube-controller-manager', ''],
      'kube-router': ['system:kube-router', ''],
    } as const;
    const tokens = Object.fromEntries(
      Object.keys(users).map((u) => [u, randomBytes(24).toString('hex')]),
    ) as Record<keyof typeof users, string>;
    writeFileSync(
      join(pki, 'tokens.csv'),
      Object.entries(users)
        .map(
          ([u, [name, group]]) =>
            `${tokens[u as keyof typeof users]},${name},${u}-uid${group ? `,"${group}"` : ''}`,
        )
        .join('\n') + '\n',
      { mode: 0o600 },
    );
    const server = `https://${NODE_IP}:${API_PORT}`;
    const kc = (u: keyof typeof users) => {
      const path = join(dir, `${u}.kubeconfig`);
      writeFileSync(path, kubeconfigYaml(server, caPem, u, tokens[u]), { mode: 0o600 });
      return path;
    };

    // ---- etcd, kube-apiserver --------------------------------------------------------------
    const [etcdClient, etcdPeer] = (await freePorts(2)) as [number, number];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = start('etcd', bin('etcd'), [
      `--name=${NODE_NAME}`, `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${NODE_NAME}=${peerUrl}`, '--unsafe-no-fsync', '--log-level=warn',
    ]); // prettier-ignore
    await waitUntilReady(etcd, () => probeHttp(`${etcdUrl}/health`), { timeoutMs: 30_000 });
    mkdirSync(join(dir, 'apiserver-certs'));
    const api = start('kube-apiserver', bin('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`, `--bind-address=${NODE_IP}`, `--advertise-address=${NODE_IP}`,
      `--secure-port=${API_PORT}`, `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${certs.serverCert}`, `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`, `--token-auth-file=${join(pki, 'tokens.csv')}`,
      '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certs.serviceAccountPub}`,
      `--service-account-signing-key-file=${certs.serviceAccountKey}`,
      `--service-cluster-ip-range=${SVC_CIDR}`, '--allow-privileged=true',
      `--kubelet-client-certificate=${kubeletClient.cert}`, `--kubelet-client-key=${kubeletClient.key}`,
      // The node's Hostname address does not resolve; logs and exec go to its InternalIP.
      '--kubelet-preferred-address-types=InternalIP',
      '--enable-priority-and-fairness=false', '--profiling=false',
    ]); // prettier-ignore
    await waitUntilReady(api, () => probeHttps(`${server}/readyz`, caPem, tokens.admin), {
      timeoutMs: 90_000,
    });

    // ---- controller-manager, scheduler ---------------------------------------------------
    start('kube-controller-manager', bin('kube-controller-manager'), [
      `--kubeconfig=${kc('kube-controller-manager')}`, '--leader-elect=false', '--secure-port=0',
      '--controllers=*,-bootstrap-signer-controller,-token-cleaner-controller,-cloud-node-lifecycle-controller,-node-route-controller,-service-lb-controller,-node-ipam-controller',
      '--use-service-account-credentials=true', `--service-account-private-key-file=${certs.serviceAccountKey}`,
      `--root-ca-file=${certs.caCert}`, `--cluster-signing-cert-file=${certs.caCert}`,
      `--cluster-signing-key-file=${certs.caKey}`, '--kube-api-qps=100', '--kube-api-burst=200',
    ]); // prettier-ignore
    start('kube-scheduler', bin('kube-scheduler'), [
      `--kubeconfig=${kc('kube-scheduler')}`, '--leader-elect=false', '--secure-port=0',
    ]); // prettier-ignore

    // ---- containerd --------------------------------------------------------------------------
    const socket = join(dir, 'containerd.sock');
    writeFileSync(
      join(dir, 'containerd.toml'),
      `version = 2
root = "${storeDir}"
state = "${join(dir, 'containerd-state')}"
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  netns_mounts_under_state_dir = true
  # Some machines withhold CAP_SYS_RESOURCE even from root: oom_score_adj cannot go below 0, and
  # the pause container's -998 would fail in runc ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${join(dir, 'runc')}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${join(dir, 'cni/net.d')}"
    max_conf_num = 1
`,
    );
    writeFileSync(
      join(dir, 'cni/net.d/10-voicefleet.conflist'),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'voicefleet',
        plugins: [
          {
            type: 'bridge', bridge: BRIDGE, isGateway: true, ipMasq: false, hairpinMode: true,
            ipam: {
              type: 'host-local', dataDir: join(dir, 'cni/ipam'),
              ranges: [[{ subnet: POD_CIDR, gateway: NODE_IP }]], routes: [{ dst: '0.0.0.0/0' }],
            },
          },
          { type: 'portmap', capabilities: { portMappings: true } },
        ],
      }), // prettier-ignore
    );
    const containerd = start('containerd', 'containerd', [
      '--config',
      join(dir, 'containerd.toml'),
    ]);
    writeFileSync(
      join(dir, 'crictl.yaml'),
      `runtime-endpoint: unix://${socket}\nimage-endpoint: unix://${socket}\ntimeout: 10\n`,
    );
    await waitUntilReady(
      containerd,
      async () =>
        await run(bin('crictl'), ['--config', join(dir, 'crictl.yaml'), 'info']).then(() => true),
      { timeoutMs: 30_000 },
    );
    const ctr = ['ctr', '--address', socket, '-n', 'k8s.io'];
    const loadImages = async (refs: readonly string[]) => {
      for (const ref of refs) {
        const want = execFileSync('docker', ['image', 'inspect', '-f', '{{.Id}}', ref], {
          encoding: 'utf8',
        }).trim();
        const have = spawnSync(bin('crictl'), ['--config', join(dir, 'crictl.yaml'), 'inspecti', '-o', 'go-template', '--template', '{{.status.id}}', ref], { encoding: 'utf8' }).stdout.trim(); // prettier-ignore
        if (have === want) continue;
        await new Promise<void>((resolve, reject) => {
          const save = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'inherit'] });
          const load = spawn(ctr[0]!, [...ctr.slice(1), 'images', 'import', '-'], {
            stdio: ['pipe', 'ignore', 'pipe'],
          });
          let err = '';
          load.stderr.on('data', (d: Buffer) => (err += d.toString()));
          save.stdout.pipe(load.stdin);
          load.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`ctr import ${ref}: ${err}`)),
          );
        });
      }
    };
    buildPauseImage();
    await loadImages([PAUSE_IMAGE]);

    // ---- kubelet, kube-proxy -----------------------------------------------------------------
    writeFileSync(
      join(dir, 'kubelet.yaml'),
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
containerRuntimeEndpoint: unix://${socket}
cgroupDriver: cgroupfs
# kubelet 1.35 refuses cgroup v1 by default; this machine has v1 (hybrid).
failCgroupV1: false
failSwapOn: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "${certs.caCert}"}
authorization: {mode: Webhook}
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
podLogsDir: ${join(dir, 'pod-logs')}
podCIDR: ${POD_CIDR}
serializeImagePulls: false
# Preloaded images (nothing can be pulled) must never be garbage collected.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
nodeStatusUpdateFrequency: 5s
syncFrequency: 10s
`,
    );
    const kubelet = start('kubelet', bin('kubelet'), [
      `--config=${join(dir, 'kubelet.yaml')}`, `--kubeconfig=${kc('kubelet')}`,
      `--root-dir=${join(dir, 'kubelet')}`, `--cert-dir=${join(pki, 'kubelet')}`,
      `--hostname-override=${NODE_NAME}`, `--node-ip=${NODE_IP}`, '--v=1',
    ]); // prettier-ignore
    await waitUntilReady(kubelet, () => probeHttp('http://127.0.0.1:10248/healthz'), {
      timeoutMs: 60_000,
    });
    writeFileSync(
      join(dir, 'kube-proxy.yaml'),
      `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "${kc('kube-proxy')}"}
mode: iptables
hostnameOverride: ${NODE_NAME}
clusterCIDR: ${POD_CIDR}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts on the node IP only: nothing listens on the machine's other interfaces.
nodePortAddresses: ["${NODE_IP}/32"]
iptables: {localhostNodePorts: false, minSyncPeriod: 0s}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
`,
    );
    const proxy = start('kube-proxy', bin('kube-proxy'), [
      `--config=${join(dir, 'kube-proxy.yaml')}`,
    ]);
    await waitUntilReady(proxy, () => probeHttp('http://127.0.0.1:10256/healthz'), {
      timeoutMs: 30_000,
    });

    const adminPath = kc('admin');
    const kubectl = async (
      args: readonly string[],
      o: { input?: string; timeoutMs?: number } = {},
    ) => {
      const child = execFile(bin('kubectl'), ['--kubeconfig', adminPath, ...args], {
        timeout: o.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      if (o.input !== undefined) child.stdin?.end(o.input);
      else child.stdin?.end();
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0) throw new Error(`kubectl ${args.join(' ')}: exit ${code}: ${stderr.trim()}`);
      return stdout;
    };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = await kubectl([
        'get',
        'node',
        NODE_NAME,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]).catch(() => '');
      const sa =
        ready === 'True' &&
        (await kubectl(['-n', 'default', 'get', 'serviceaccount', 'default']).then(
          () => true,
          () => false,
        ));
      if (sa) break;
      if (Date.now() > deadline)
        throw new Error(`node not Ready after 120 s; kubelet log:\n${kubelet.logTail(30)}`);
      for (const p of procs)
        if (!p.isRunning()) throw new Error(`${p.name} exited:\n${p.logTail(30)}`);
      await sleep(200);
    }
    if (options.enforceNetworkPolicy === true) {
      const router = findKubeRouter();
      if (!('path' in router)) throw new Error(router.missing);
      await kubectl(['apply', '-f', '-'], { input: KUBE_ROUTER_RBAC });
      // The firewall alone: the bridge CNI routes and kube-proxy serves the Services.
      const firewall = start('kube-router', router.path, [
        `--kubeconfig=${kc('kube-router')}`, `--hostname-override=${NODE_NAME}`,
        '--run-firewall=true', '--run-router=false', '--run-service-proxy=false',
        '--enable-cni=false', '--enable-ipv6=false', `--service-cluster-ip-range=${SVC_CIDR}`,
        '--health-port=20244', '--metrics-port=0', '--v=1',
      ]); // prettier-ignore
      await waitUntilReady(firewall, () => probeHttp('http://127.0.0.1:20244/healthz'), {
        timeoutMs: 60_000,
      });
    }
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(adminPath);
    return {
      dir,
      kubeconfigPath: adminPath,
      kubeConfig,
      server,
      kubectl,
      loadImages,
      readyMs: Date.now() - t0,
      stop,
    };
  } catch (cause) {
    const logs = procs.map((p) => `--- ${p.name}\n${p.logTail(15)}`).join('\n');
    await stop();
    throw new Error(`start real cluster: ${(cause as Error).message}\n${logs}`, { cause });
  }
}

/** The pod sandbox image: test/harness/pause.c, static, in an image of its own (made once). */
function buildPauseImage(): void {
  if (quiet('docker', ['image', 'inspect', PAUSE_IMAGE])) return;
  const ctx = join(RUN_DIR, 'pause-image');
  mkdirSync(ctx, { recursive: true });
  execFileSync('gcc', [
    '-Os',
    '-static',
    '-s',
    '-o',
    join(ctx, 'pause'),
    join(repoRoot, 'test/harness/pause.c'),
  ]);
  writeFileSync(
    join(ctx, 'Dockerfile'),
    'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n',
  );
  execFileSync('docker', ['build', '-q', '-t', PAUSE_IMAGE, ctx], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: 'ignore',
  });
}
