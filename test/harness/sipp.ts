// Runs sipp on loopback with the scenarios in test/sipp: UAS media-node stand-ins that live until
// stopped, and bounded UAC runs that report their call counts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@voicefleet/devtools/processes';

export const SIPP_DIR = new URL('../sipp/', import.meta.url).pathname;

export function sippAvailable(): boolean {
  return (
    spawnSync('sipp', ['-v'], { stdio: 'ignore' }).status !== 127 &&
    spawnSync('which', ['sipp']).status === 0
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
  const child = spawn(
    'sipp',
    [
      '-sf',
      join(SIPP_DIR, 'edge-uas.xml'),
      '-i',
      ip,
      '-p',
      String(port),
      '-aa',
      '-nostdin',
      '-mp',
      String(mediaPort),
      '-max_socket',
      '4096',
      '-skip_rlimit',
    ],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null)
    throw new Error(`sipp UAS on ${ip}:${port} exited with ${child.exitCode}`);
  return {
    port,
    get pid() {
      return child.pid;
    },
    stop: () => stopChild(child),
  };
}

export interface UacOptions {
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

export interface UacResult {
  successful: number;
  failed: number;
  exitCode: number | null;
  /** INVITE->200 per call in ms, when `rtt` was set. */
  rttMs: number[];
  elapsedMs: number;
  /** The first lines of sipp's error log (why calls failed). */
  errors: string[];
}

export async function runSippUac(options: UacOptions): Promise<UacResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vf-sipp-'));
  // sipp keywords do not reach attributes (e.g. recv response="[expect]"): substitute them here.
  let scenario = await readFile(join(SIPP_DIR, options.scenario ?? 'edge-uac.xml'), 'utf8');
  for (const [k, v] of Object.entries(options.keys ?? {}))
    scenario = scenario.replaceAll(`[${k}]`, v);
  await writeFile(join(dir, 'scenario.xml'), scenario);
  const args = [
    '-sf',
    join(dir, 'scenario.xml'),
    '-i',
    options.localIp ?? '127.0.0.1',
    '-p',
    String(options.localPort ?? 0),
    options.target,
    '-s',
    options.number,
    '-m',
    String(options.calls),
    '-r',
    String(options.rate),
    '-d',
    String(options.holdMs ?? 100),
    '-l',
    String(options.limit ?? Math.max(100, options.calls)),
    '-timeout',
    String(options.timeoutSeconds ?? 30),
    '-timeout_error',
    '-max_socket',
    '4096',
    '-skip_rlimit',
    '-nostdin',
    '-recv_timeout',
    '10000',
    '-aa',
  ];
  if (options.rtt === true) args.push('-trace_msg', '-message_file', join(dir, 'messages.log'));
  const started = performance.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-20000);
  });
  const onAbort = (): void => {
    child.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exitCode = await new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  options.signal?.removeEventListener('abort', onAbort);
  const elapsedMs = performance.now() - started;
  const count = (label: string): number => {
    const m = [...out.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))].at(-1);
    return m?.[1] !== undefined ? Number(m[1]) : 0;
  };
  const rttMs =
    options.rtt === true
      ? inviteTo200(await readFile(join(dir, 'messages.log'), 'utf8').catch(() => ''))
      : [];
  const errors = (await readFile(join(dir, 'errors.log'), 'utf8').catch(() => ''))
    .split('\n')
    .filter((l) => l.trim() !== '' && !/Automatic response mode/.test(l))
    .slice(0, 5);
  await rm(dir, { recursive: true, force: true });
  return {
    successful: count('Successful call'),
    failed: count('Failed call'),
    exitCode,
    rttMs,
    errors,
    elapsedMs,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
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
