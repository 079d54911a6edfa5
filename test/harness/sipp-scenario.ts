// Runs the real sipp binary on loopback with one of our scenarios (test/sipp), bounded in time and
// killed by PID; sipp's exit code is the verdict (0: every call went as the scenario says).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIPP_DIR } from './sipp.js';

export const SIP_SCENARIOS = SIPP_DIR;

/** undefined when sipp can run; else why not (tests skip unless CI=true). */
export function sippMissing(): string | undefined {
  const ok = spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
  if (ok) return undefined;
  if (process.env.CI === 'true')
    throw new Error('sipp is required in CI (Debian package sip-tester)');
  return 'sipp binary not installed';
}

export interface SippResult {
  code: number | null;
  output: string;
}

export interface SippRun {
  readonly child: ChildProcess;
  readonly done: Promise<SippResult>;
  stop(): void;
}

/** Starts sipp with `args` in a scratch directory; kills it after `timeoutMs`. */
export function startSipp(args: string[], timeoutMs = 20_000): SippRun {
  const cwd = mkdtempSync(join(tmpdir(), 'sip-sipp-'));
  const child = spawn(
    'sipp',
    [...args, '-nostdin', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error'],
    {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
  const done = new Promise<SippResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      // with -trace_err, what went wrong is in <scenario>_<pid>_errors.log
      for (const name of readdirSync(cwd).filter((n) => n.endsWith('_errors.log')))
        output += `\n${name}:\n${readFileSync(join(cwd, name), 'utf8').slice(-5_000)}`;
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
  return { child, done, stop: () => child.kill('SIGKILL') };
}

export interface UacRun {
  scenario: string;
  target: string;
  port: number;
  mediaPort: number;
  transport?: 'udp' | 'tcp';
  calls?: number;
  /** The user part of the Request-URI (sipp's -s). */
  service?: string;
  /** More sipp arguments (e.g. -trace_err). */
  extra?: string[];
  timeoutMs?: number;
}

/** A sipp UAC run of one of our scenarios against `target` (host:port). */
export function runSippUac(o: UacRun): Promise<SippResult> {
  const args = [
    o.target,
    '-sf',
    join(SIP_SCENARIOS, o.scenario),
    '-i',
    '127.0.0.1',
    '-p',
    String(o.port),
    '-mp',
    String(o.mediaPort),
    '-m',
    String(o.calls ?? 1),
    '-t',
    o.transport === 'tcp' ? 't1' : 'u1',
    ...(o.service === undefined ? [] : ['-s', o.service]),
    ...(o.extra ?? []),
  ];
  return startSipp(args, o.timeoutMs).done;
}

/** Waits until something accepts TCP connections on 127.0.0.1:port (sipp has started). */
export async function waitForTcpListener(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
