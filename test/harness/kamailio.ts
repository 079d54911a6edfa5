// Starts a real Kamailio on loopback with the chart's configuration (charts/voicefleet/files/
// kamailio) plus a generated kamailio-local.cfg: free SIP and control ports, a temp runtime dir,
// nothing under system paths. Stops it by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDGE_CONFIG_DIR, kamailioArgs, renderLocalEdgeConfig } from '@voicefleet/devtools/local';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';

export interface KamailioOptions {
  token?: string;
  region?: string;
  /** UDP workers (default 4). */
  children?: number;
  /** Shared / private memory in MB (defaults 256 / 32). */
  shmMb?: number;
  pkgMb?: number;
  /** Extra `#!define` names or `NAME value` pairs for kamailio-local.cfg. */
  defines?: string[];
  /** Use another main configuration file (e.g. a minimal one for a benchmark baseline). */
  configText?: string;
}

export interface KamailioInstance {
  sipPort: number;
  /** The media nodes' port: their outbound calls go here. */
  internalSipPort: number;
  controlPort: number;
  rpcUrl: string;
  token: string;
  dir: string;
  readonly pid: number | undefined;
  /** Stops and starts again on the same ports with an empty state. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function kamailioAvailable(): boolean {
  return spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).status === 0;
}

export async function startKamailio(options: KamailioOptions = {}): Promise<KamailioInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'vf-kamailio-'));
  await cp(EDGE_CONFIG_DIR, dir, { recursive: true });
  const [sipPort = 0, controlPort = 0, internalSipPort = 0] = await freePorts(3);
  const token = options.token ?? 'test-token-0123456789';
  const local = renderLocalEdgeConfig({
    region: options.region ?? 'local',
    sipPort,
    internalSipPort,
    controlPort,
    token,
    dispatcherList: join(dir, 'dispatcher.list'),
    children: options.children ?? 4,
    ...(options.defines === undefined ? {} : { defines: options.defines }),
  });
  await writeFile(join(dir, 'kamailio-local.cfg'), local);
  if (options.configText !== undefined)
    await writeFile(join(dir, 'kamailio.cfg'), options.configText);

  let child: ChildProcess | undefined;
  const rpcUrl = `http://127.0.0.1:${controlPort}/RPC`;
  const launch = async (): Promise<void> => {
    const log = createWriteStream(join(dir, 'kamailio.log'), { flags: 'a' });
    child = spawn(
      'kamailio',
      kamailioArgs(dir, { shmMb: options.shmMb ?? 256, pkgMb: options.pkgMb ?? 32 }),
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.pipe(log);
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) =>
        reject(new Error(`kamailio exited with ${code}; see ${join(dir, 'kamailio.log')}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      waitFor(
        async () => {
          const r = await fetch(rpcUrl, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}',
            signal: AbortSignal.timeout(500),
          });
          return r.ok;
        },
        { timeoutMs: 15_000, message: 'kamailio control port' },
      ),
    ]);
  };
  const halt = async (): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  await launch();
  return {
    sipPort,
    internalSipPort,
    controlPort,
    rpcUrl,
    token,
    dir,
    get pid() {
      return child?.pid;
    },
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      if (process.env['VOICEFLEET_KEEP_TMP'] === undefined)
        await rm(dir, { recursive: true, force: true });
    },
  };
}
