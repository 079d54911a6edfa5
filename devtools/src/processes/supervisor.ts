// Child processes of the local fleet and the tests: spawned with their output in a log file,
// probed for readiness, and stopped by PID (SIGTERM, then SIGKILL after a timeout). Every live
// child is also killed when this process exits, so a crash or a failed suite leaves nothing behind.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Short name for errors and logs, e.g. `kube-apiserver`. */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here (the child writes to the file directly). */
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited, whoever ended it. */
  readonly exited: Promise<ExitInfo>;
  isRunning(): boolean;
  /** The last lines of its log. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL when it has not exited after `timeoutMs` (default 5 s). */
  stop(options?: { timeoutMs?: number; signal?: NodeJS.Signals }): Promise<ExitInfo>;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killQuietly(child.pid, 'SIGKILL');
  });
}

/**
 * Signals the child's process group (it leads one, see spawnProcess): the helpers it started go
 * with it (Kamailio's workers, a media node's recogniser), never orphaned.
 */
function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves with `promise`'s value, or 'timeout' after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, 'timeout' as const, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

/** Reads the last `lines` lines of a file ('' when it does not exist yet). */
export function tailFile(path: string, lines = 40): string {
  let fd: number | undefined;
  try {
    const size = statSync(path).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fd = openSync(path, 'r');
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Starts a process whose output goes to `logPath`; it is tracked until it exits. */
export function spawnProcess(options: SpawnOptions): ManagedProcess {
  installExitHook();
  const fd = openSync(options.logPath, 'a');
  let child;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      // its own process group: a terminal's Ctrl-C reaches only us, and we decide how it stops
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`spawn ${options.name}: no pid (${options.command})`);
  let running = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(managed);
      resolve({ code, signal });
    });
    child.once('error', () => {
      running = false;
      live.delete(managed);
      resolve({ code: null, signal: null });
    });
  });
  const managed: ManagedProcess = {
    name: options.name,
    pid,
    logPath: options.logPath,
    exited,
    isRunning: () => running,
    logTail: (lines) => tailFile(options.logPath, lines),
    async stop({ timeoutMs = 5_000, signal = 'SIGTERM' } = {}) {
      if (!running) return exited;
      killQuietly(pid, signal);
      // The child is unref'd: these ref'd timers keep the event loop alive until 'exit' arrives.
      if ((await within(exited, timeoutMs)) === 'timeout') {
        killQuietly(pid, 'SIGKILL');
        await within(exited, 10_000);
      }
      return exited;
    },
  };
  live.add(managed);
  child.unref();
  return managed;
}

/**
 * Polls `probe` until it resolves true; fails at once with the log tail when the process exits
 * first, or with the log tail after `timeoutMs`.
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitInfo: ExitInfo | undefined;
  void proc.exited.then((info) => (exitInfo = info));
  while (Date.now() < deadline) {
    if (exitInfo) {
      throw new Error(
        `${proc.name} exited during start-up (code ${exitInfo.code}, signal ${exitInfo.signal}); ` +
          `log ${proc.logPath}:\n${proc.logTail()}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(
    `${proc.name} not ready after ${timeoutMs} ms; log ${proc.logPath}:\n${proc.logTail()}`,
  );
}

/** Waits until the process's log contains a line matching `pattern`, and returns that line. */
export async function waitForLogLine(
  proc: ManagedProcess,
  pattern: RegExp,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<string> {
  let found: string | undefined;
  await waitUntilReady(
    proc,
    () => {
      found = tailFile(proc.logPath, 400)
        .split('\n')
        .find((line) => pattern.test(line));
      return Promise.resolve(found !== undefined);
    },
    { timeoutMs },
  );
  return found!;
}
