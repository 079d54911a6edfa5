// Starts a real Kamailio on loopback with the chart's configuration (charts/voicefleet/files/
// kamailio) plus a generated kamailio-local.cfg: free SIP and control ports, a temp runtime dir,
// nothing under system paths. Runs under the test kit's process supervisor: output in
// kamailio.log, stopped by PID with its workers (SIGTERM, then SIGKILL).
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDGE_CONFIG_DIR, kamailioArgs, renderLocalEdgeConfig } from '@voicefleet/devtools/local';
import {
  freePorts,
  spawnProcess,
  waitUntilReady,
  type ManagedProcess,
} from '@voicefleet/devtools/processes';

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

  let child: ManagedProcess | undefined;
  const rpcUrl = `http://127.0.0.1:${controlPort}/RPC`;
  const launch = async (): Promise<void> => {
    const started = spawnProcess({
      name: 'kamailio',
      command: 'kamailio',
      args: kamailioArgs(dir, { shmMb: options.shmMb ?? 256, pkgMb: options.pkgMb ?? 32 }),
      logPath: join(dir, 'kamailio.log'),
      cwd: dir,
    });
    child = started;
    await waitUntilReady(
      started,
      async () => {
        const r = await fetch(rpcUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}',
          signal: AbortSignal.timeout(500),
        });
        return r.ok;
      },
      { timeoutMs: 15_000 },
    );
  };
  const halt = async (): Promise<void> => {
    await child?.stop();
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
