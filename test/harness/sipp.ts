// Runs the real sipp binary on loopback with the scenarios in test/sipp. One spawn core
// (startSipp: a scratch directory, bounded in time, killed by PID, its error log kept) under
// three uses: a media-node stand-in that answers until stopped (startSippUas), a bounded load of
// calls that reports its counts and INVITE->200 times (runSippLoad), and one scenario whose exit
// code is the verdict (runSippScenario: 0 when every call went as the scenario says).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@voicefleet/devtools/processes';

export const SIPP_DIR = new URL('../sipp/', import.meta.url).pathname;

/** undefined when sipp can run; else why not. Under CI=true a missing sipp is an error, not a skip. */
export function sippMissing(): string | undefined {
  if (spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined) return undefined;
  if (process.env['CI'] === 'true')
    throw new Error('sipp is required in CI (Debian package sip-tester)');
  return 'sipp is not installed (bash scripts/ensure-system-packages.sh)';
}

export interface SippOptions {
  /** sipp's own -timeout (an error exit), and a SIGKILL 5 s later; none: runs until stopped. */
  timeoutMs?: number;
  /** Files the run needs in its scratch directory (its working directory), by name. */
  files?: Record<string, string>;
  /** Reads what sipp wrote in its scratch directory before the directory is removed. */
  collect?: (dir: string) => void;
  /** Ends sipp with SIGTERM (it prints its final counts) when aborted. */
  signal?: AbortSignal;
}

export interface SippResult {
  code: number | null;
  /** The tail of sipp's stdout and stderr, then its error log (with -trace_err). */
  output: string;
}

export interface SippRun {
  readonly child: ChildProcess;
  readonly done: Promise<SippResult>;
  stop(): void;
}

/** Starts sipp with `args` in a scratch directory of its own. */
export function startSipp(args: string[], o: SippOptions = {}): SippRun {
  const cwd = mkdtempSync(join(tmpdir(), 'vf-sipp-'));
  for (const [name, content] of Object.entries(o.files ?? {}))
    writeFileSync(join(cwd, name), content);
  const bounded =
    o.timeoutMs === undefined
      ? []
      : ['-timeout', `${Math.ceil(o.timeoutMs / 1000)}s`, '-timeout_error'];
  const child = spawn('sipp', [...args, '-nostdin', ...bounded], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killer =
    o.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGKILL'), o.timeoutMs + 5_000);
  const onAbort = (): void => void child.kill('SIGTERM');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const done = new Promise<SippResult>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      o.signal?.removeEventListener('abort', onAbort);
      // with -trace_err, what went wrong is in <scenario>_<pid>_errors.log
      for (const name of readdirSync(cwd).filter((n) => n.endsWith('_errors.log')))
        output += `\n${name}:\n${readFileSync(join(cwd, name), 'utf8').slice(-5_000)}`;
      try {
        o.collect?.(cwd);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
        resolve({ code, output });
      }
    });
  });
  return { child, done, stop: () => void child.kill('SIGKILL') };
}

/**
 * A UAS for one call on 127.0.0.1:`port`: `scenario` is one of ours (test/sipp) or sipp's built-in
 * `uas`. Bounded at 20 s; its exit code says whether the call went as the scenario says.
 */
export function startOneCallUas(o: {
  scenario: string;
  port: number;
  mediaPort: number;
  transport?: 'udp' | 'tcp';
}): SippRun {
  const scenario = o.scenario === 'uas' ? ['-sn', 'uas'] : ['-sf', join(SIPP_DIR, o.scenario)];
  return startSipp(
    [
      ...scenario,
      ...['-i', '127.0.0.1', '-p', String(o.port), '-mp', String(o.mediaPort), '-m', '1'],
      ...['-t', o.transport === 'tcp' ? 't1' : 'u1'],
    ],
    { timeoutMs: 20_000 },
  );
}

export interface SippUas {
  port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A media node stand-in: answers INVITEs 200 (scenario edge-uas.xml) and OPTIONS 200 (-aa). */
export async function startSippUas(port: number, ip = '127.0.0.1'): Promise<SippUas> {
  const mediaPort = await freePort();
  const run = startSipp([
    '-sf',
    join(SIPP_DIR, 'edge-uas.xml'),
    '-i',
    ip,
    '-p',
    String(port),
    '-aa',
    '-mp',
    String(mediaPort),
    '-max_socket',
    '4096',
    '-skip_rlimit',
  ]);
  await new Promise((r) => setTimeout(r, 300));
  if (run.child.exitCode !== null)
    throw new Error(`sipp UAS on ${ip}:${port} exited with ${run.child.exitCode}`);
  return {
    port,
    get pid() {
      return run.child.pid;
    },
    stop: async () => {
      run.stop();
      await run.done;
    },
  };
}

export interface LoadOptions {
  target: string;
  number: string;
  calls: number;
  /** Calls per second. */
  rate: number;
  /** Call hold time in ms. */
  holdMs?: number;
  localIp?: string;
  localPort?: number;
  /** Scenario file in test/sipp (default edge-uac.xml) and its -key values. */
  scenario?: string;
  keys?: Record<string, string>;
  /** Maximum simultaneous calls. */
  limit?: number;
  timeoutSeconds?: number;
  /** Measure INVITE sent -> 200 received per call from sipp's message log (µs timestamps). */
  rtt?: boolean;
  signal?: AbortSignal;
}

export interface LoadResult {
  successful: number;
  failed: number;
  exitCode: number | null;
  /** INVITE->200 per call in ms, when `rtt` was set. */
  rttMs: number[];
  elapsedMs: number;
  /** The first lines of sipp's error log (why calls failed). */
  errors: string[];
}

/** `calls` calls at `rate` per second; the counts come from sipp's final screen. */
export async function runSippLoad(options: LoadOptions): Promise<LoadResult> {
  // sipp keywords do not reach attributes (e.g. recv response="[expect]"): substitute them here.
  let scenario = readFileSync(join(SIPP_DIR, options.scenario ?? 'edge-uac.xml'), 'utf8');
  for (const [k, v] of Object.entries(options.keys ?? {}))
    scenario = scenario.replaceAll(`[${k}]`, v);
  const args = [
    ...['-sf', 'scenario.xml', '-i', options.localIp ?? '127.0.0.1'],
    ...['-p', String(options.localPort ?? 0), options.target, '-s', options.number],
    ...[
      '-m',
      String(options.calls),
      '-r',
      String(options.rate),
      '-d',
      String(options.holdMs ?? 100),
    ],
    ...['-l', String(options.limit ?? Math.max(100, options.calls))],
    ...['-max_socket', '4096', '-skip_rlimit', '-recv_timeout', '10000', '-aa'],
    ...['-trace_err', '-error_file', 'errors.log'],
  ];
  if (options.rtt === true) args.push('-trace_msg', '-message_file', 'messages.log');
  let messages = '';
  let errorLog = '';
  const read = (dir: string, name: string): string => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  const started = performance.now();
  const { code, output } = await startSipp(args, {
    timeoutMs: (options.timeoutSeconds ?? 30) * 1000,
    files: { 'scenario.xml': scenario },
    ...(options.signal ? { signal: options.signal } : {}),
    collect: (dir) => {
      messages = read(dir, 'messages.log');
      errorLog = read(dir, 'errors.log');
    },
  }).done;
  const elapsedMs = performance.now() - started;
  const count = (label: string): number => {
    const m = [...output.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))].at(
      -1,
    );
    return m?.[1] !== undefined ? Number(m[1]) : 0;
  };
  return {
    successful: count('Successful call'),
    failed: count('Failed call'),
    exitCode: code,
    rttMs: options.rtt === true ? inviteTo200(messages) : [],
    errors: errorLog
      .split('\n')
      .filter((l) => l.trim() !== '' && !/Automatic response mode/.test(l))
      .slice(0, 5),
    elapsedMs,
  };
}

export interface ScenarioRun {
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

/** A run of one of our scenarios against `target` (host:port); exit code 0 means it went as written. */
export function runSippScenario(o: ScenarioRun): Promise<SippResult> {
  const args = [
    o.target,
    ...['-sf', join(SIPP_DIR, o.scenario), '-i', '127.0.0.1', '-p', String(o.port)],
    ...['-mp', String(o.mediaPort), '-m', String(o.calls ?? 1)],
    ...['-t', o.transport === 'tcp' ? 't1' : 'u1'],
    ...(o.service === undefined ? [] : ['-s', o.service]),
    ...(o.extra ?? []),
  ];
  return startSipp(args, { timeoutMs: o.timeoutMs ?? 20_000 }).done;
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

/** Per call: first INVITE sent -> first 200 to it received, in ms, from a sipp message log. */
export function inviteTo200(log: string): number[] {
  const sent = new Map<string, number>();
  const out: number[] = [];
  const done = new Set<string>();
  for (const block of log.split(/^-{20,} /m)) {
    const stamp = /^(\d{4}-\d\d-\d\d)\s+(\d\d):(\d\d):(\d\d\.\d+)/.exec(block);
    if (stamp === null) continue;
    const t = (Number(stamp[2]) * 3600 + Number(stamp[3]) * 60 + Number(stamp[4])) * 1000;
    const callId = /^Call-ID:\s*(\S+)/im.exec(block)?.[1];
    if (callId === undefined) continue;
    const isSent = /message sent/i.test(block);
    if (isSent && /^INVITE /m.test(block) && !sent.has(callId)) sent.set(callId, t);
    else if (
      !isSent &&
      /^SIP\/2\.0 200/m.test(block) &&
      /^CSeq:\s*\d+ INVITE/im.test(block) &&
      !done.has(callId)
    ) {
      const start = sent.get(callId);
      if (start !== undefined) {
        out.push(t - start);
        done.add(callId);
      }
    }
  }
  return out;
}
