// `voicefleet dev` as a user runs it, for the local fleet's tests: a copy of example manifests in a
// temp folder, the CLI on a free SIP port with its own run dir, its output in a log (or, with
// `tty`, in a real pseudo-terminal via script(1)), and helpers to place calls, read the status
// table and hold a call open. Each test file starts the fleet it needs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDevState, type DevState } from '@voicefleet/devtools/local';
import { PCMU, PacingScheduler, RtpSession } from '@voicefleet/media-node/rtp';
import { createOffer } from '@voicefleet/media-node/sdp';
import { SipEndpoint } from '@voicefleet/media-node/sip';
import {
  freePort,
  spawnProcess,
  tailFile,
  type ExitInfo,
  type ManagedProcess,
  waitFor,
} from '@voicefleet/devtools/processes';

export const ROOT = new URL('../../', import.meta.url).pathname;
const VOICEFLEET = join(ROOT, 'bin/voicefleet');

/** Why the local fleet's tests cannot run here (false when they can; never skipped in CI). */
export function devFleetSkipReason(): string | false {
  const missing = ['kamailio', 'espeak-ng', 'sox', 'script'].filter(
    (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0,
  );
  return missing.length > 0 && process.env.CI !== 'true' ? `needs ${missing.join(', ')}` : false;
}

export interface DevFleetOptions {
  /** Files of crds/examples to copy into the fleet's folder. */
  examples: readonly string[];
  /** Edits the copied text of a file before the fleet starts. */
  edit?: (file: string, text: string) => string;
  /** Extra `voicefleet dev` arguments (e.g. `--drain-timeout 2`). */
  args?: readonly string[];
  /** Run in a pseudo-terminal, as in a real terminal (the log then holds escape sequences). */
  tty?: boolean;
  /** Media nodes that must be ready before the fleet counts as started. */
  readyNodes: number;
}

export interface CallOutcome {
  code: number | null;
  stdout: string;
  agentLines: string[];
}

export interface DevFleet {
  folder: string;
  runDir: string;
  logPath: string;
  process: ManagedProcess;
  state(): Promise<DevState | undefined>;
  /** Everything the fleet printed so far. */
  log(): Promise<string>;
  /** The last status table printed (non-tty runs), as lines. */
  lastTable(): Promise<string[]>;
  /** Runs `voicefleet call` against this fleet. */
  call(args: readonly string[]): Promise<CallOutcome>;
  /** Ctrl-C (SIGINT to the CLI) and the exit. */
  interrupt(timeoutMs?: number): Promise<ExitInfo>;
  /** Stops it if still running and removes its folders. */
  remove(): Promise<void>;
}

export async function startDevFleet(o: DevFleetOptions): Promise<DevFleet> {
  const folder = await mkdtemp(join(tmpdir(), 'vf-dev-manifests-'));
  const runDir = await mkdtemp(join(tmpdir(), 'vf-dev-run-'));
  for (const file of o.examples) {
    const text = await readFile(join(ROOT, 'crds/examples', file), 'utf8');
    await writeFile(join(folder, file), o.edit?.(file, text) ?? text);
  }
  const args = [
    'dev',
    folder,
    '--sip-port',
    String(await freePort()),
    '--run-dir',
    runDir,
    ...(o.args ?? []),
  ];
  const logPath = join(runDir, 'dev.log');
  const command = o.tty
    ? {
        command: 'script',
        args: [
          '-qfec',
          `stty cols 120 rows 40; exec ${[VOICEFLEET, ...args].join(' ')}`,
          '/dev/null',
        ],
      }
    : { command: VOICEFLEET, args };
  const proc = spawnProcess({
    name: 'voicefleet dev',
    ...command,
    logPath,
  });
  const fleet: DevFleet = {
    folder,
    runDir,
    logPath,
    process: proc,
    state: () => readDevState(runDir),
    log: () => readFile(logPath, 'utf8').catch(() => ''),
    async lastTable() {
      const lines = (await fleet.log()).split('\n');
      const start = lines.findLastIndex((l) => l.startsWith('edge sip:'));
      if (start < 0) return [];
      const end = lines.findIndex((l, i) => i > start && l.startsWith('Ctrl-C stops'));
      return lines.slice(start, end < 0 ? undefined : end);
    },
    call: (callArgs) => runCall(runDir, callArgs),
    async interrupt(timeoutMs = 60_000) {
      // the CLI itself, also under script(1): its PID is in the state file
      const pid = (await fleet.state())?.pid;
      if (pid !== undefined && pid !== proc.pid) process.kill(pid, 'SIGINT');
      return pid !== undefined && pid !== proc.pid
        ? waitFor(() => (proc.isRunning() ? undefined : proc.exited), { timeoutMs })
        : proc.stop({ signal: 'SIGINT', timeoutMs });
    },
    async remove() {
      await proc.stop({ timeoutMs: 5_000 });
      await rm(folder, { recursive: true, force: true });
      if (process.env.VOICEFLEET_KEEP_TMP === undefined)
        await rm(runDir, { recursive: true, force: true });
    },
  };
  await waitFor(
    async () => {
      if (!proc.isRunning()) throw new Error(`voicefleet dev exited:\n${tailFile(logPath)}`);
      const ready = (await fleet.state())?.nodes.filter((n) => n.phase === 'ready').length ?? 0;
      return ready >= o.readyNodes;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 250,
      message: `${o.readyNodes} ready media nodes (${logPath})`,
    },
  );
  return fleet;
}

/** `voicefleet call <args>` against the fleet in `runDir`; its output and exit code. */
export function runCall(
  runDir: string,
  args: readonly string[],
  shell?: { command: string; cwd: string },
): Promise<CallOutcome> {
  return new Promise((resolve, reject) => {
    const child = shell
      ? spawn('bash', ['-c', shell.command], {
          cwd: shell.cwd,
          env: { ...process.env, VOICEFLEET_DEV_DIR: runDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(VOICEFLEET, ['call', ...args, '--run-dir', runDir], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const agentLines = stdout
        .split('\n')
        .filter((l) => l.startsWith('agent:'))
        .map((l) => l.replace(/^agent:\s+/, ''));
      resolve({ code, stdout, agentLines });
    });
  });
}

/** A folder whose `bin/` is this repository's, so README commands run as written, from there. */
export async function readmeCwd(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vf-readme-'));
  await symlink(join(ROOT, 'bin'), join(dir, 'bin'));
  return dir;
}

export interface HeldCall {
  /** Resolves with when (performance.now()) the far end hung up with BYE. */
  readonly byeAt: Promise<number>;
  hangUp(): Promise<void>;
}

/** A call through the edge that stays up, saying nothing, until the far end sends BYE. */
export async function holdCall(edgeUri: string, number: string): Promise<HeldCall> {
  const scheduler = new PacingScheduler();
  const rtp = await RtpSession.open({ scheduler, codec: PCMU, mediaTimeoutMs: 0 });
  const sip = await SipEndpoint.listen({ host: '127.0.0.1', port: 0, transports: ['udp'] });
  const close = async () => {
    rtp.close();
    scheduler.stop();
    await sip.close();
  };
  try {
    const dialog = await sip.invite({
      target: `sip:${number}@${edgeUri.replace(/^sip:/, '')}`,
      from: '<sip:held@127.0.0.1>',
      sdp: createOffer({
        address: '127.0.0.1',
        port: rtp.localPort,
        codecs: ['PCMU'],
        sessionId: Date.now(),
        sessionVersion: 1,
      }),
    });
    const byeAt = new Promise<number>((resolve) =>
      dialog.once('bye', () => resolve(performance.now())),
    );
    void byeAt.then(close);
    return {
      byeAt,
      async hangUp() {
        await dialog.bye().catch(() => undefined);
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
