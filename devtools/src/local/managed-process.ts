// A child process the local fleet owns: output to a log file, a readiness probe, and a stop that
// sends SIGTERM, waits, and only then SIGKILLs — always by the PID it started, never by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcessOptions {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
}

/** Every live child, so that a crashing CLI still takes its processes down with it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly exit: Promise<number | null>;

  constructor(readonly options: ManagedProcessOptions) {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    this.exit = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        live.delete(this.child);
        log.end();
        resolve(signal === null ? code : null);
      });
      this.child.once('error', () => resolve(null));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves with the exit code (null when killed by a signal). */
  waitForExit(): Promise<number | null> {
    return this.exit;
  }

  /** Polls `probe` until it answers true; fails if the process exits first or time runs out. */
  async waitReady(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited)
        throw new Error(`${what} exited during start-up; see ${this.options.logFile}`);
      if (await probe().catch(() => false)) return;
      await sleep(100);
    }
    throw new Error(`${what} was not ready after ${timeoutMs} ms; see ${this.options.logFile}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
