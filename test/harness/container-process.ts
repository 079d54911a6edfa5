// What the kernel says about a container's process on this host, found by the container id in
// /proc/PID/cgroup: its user and group, capabilities, no_new_privs, seccomp mode, whether its
// root filesystem is mounted read-only and its cgroup's memory limit. The real-cluster tests use
// it to check that a pod's securityContext and limits are what actually runs.
import { readFileSync, readdirSync } from 'node:fs';

export interface ContainerProcess {
  pid: number;
  /** Real, effective, saved and filesystem ids. */
  uids: number[];
  gids: number[];
  capEff: bigint;
  capBnd: bigint;
  noNewPrivs: boolean;
  /** 0 off, 1 strict, 2 filter. */
  seccomp: number;
  rootReadOnly: boolean;
  /** The container cgroup's memory limit (cgroup v1 or v2), undefined when unlimited. */
  memoryLimitBytes: number | undefined;
}

/** Capability bit of CAP_NET_BIND_SERVICE. */
export const CAP_NET_BIND_SERVICE = 1n << 10n;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The lowest PID whose cgroup names `containerId` (`containerd://...` accepted). */
export function containerProcess(containerId: string): ContainerProcess {
  const id = containerId.replace(/^[a-z]+:\/\//, '');
  const pids = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .sort((a, b) => a - b);
  const pid = pids.find((p) => read(`/proc/${p}/cgroup`)?.includes(id));
  if (pid === undefined) throw new Error(`no process on this host in container ${id}`);
  const status = read(`/proc/${pid}/status`) ?? '';
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
  const ids = (name: string) => field(name).split(/\s+/).map(Number);
  const root = (read(`/proc/${pid}/mountinfo`) ?? '')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[4] === '/');
  const cgroups = read(`/proc/${pid}/cgroup`) ?? '';
  const v1 = /^\d+:[^:]*\bmemory\b[^:]*:(.*)$/m.exec(cgroups)?.[1];
  const v2 = /^0::(.*)$/m.exec(cgroups)?.[1];
  const limit =
    v1 !== undefined
      ? read(`/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes`)
      : read(`/sys/fs/cgroup${v2 ?? ''}/memory.max`);
  const bytes = Number(limit?.trim());
  return {
    pid,
    uids: ids('Uid'),
    gids: ids('Gid'),
    capEff: BigInt(`0x${field('CapEff') || '0'}`),
    capBnd: BigInt(`0x${field('CapBnd') || '0'}`),
    noNewPrivs: field('NoNewPrivs') === '1',
    seccomp: Number(field('Seccomp')),
    rootReadOnly: (root?.[5] ?? '').split(',').includes('ro'),
    // cgroup v1 reports "unlimited" as a huge number, v2 as "max".
    memoryLimitBytes: Number.isFinite(bytes) && bytes < 2 ** 60 ? bytes : undefined,
  };
}
