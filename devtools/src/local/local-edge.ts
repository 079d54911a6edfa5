// A local Kamailio running the chart's edge configuration on loopback, one per region the local
// fleet serves. The operator's EdgeWriter programs it exactly as it programs an edge in a cluster.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { EdgeWriter, KamailioRpcClient } from '@voicefleet/operator';
import { EDGE_CONFIG_DIR } from '../repository.js';
import { spawnProcess, waitUntilReady, type ManagedProcess } from '../processes/supervisor.js';

export interface LocalEdgeSettings {
  region: string;
  sipPort: number;
  /** The media nodes' own SIP port (their outbound calls). */
  internalSipPort: number;
  controlPort: number;
  token: string;
  dispatcherList: string;
  /** UDP and TCP workers (default 2 each). */
  children?: number;
  tcpChildren?: number;
  /** Extra `#!define` names or `NAME value` pairs. */
  defines?: readonly string[];
}

/** `kamailio-local.cfg` for a loopback edge (pure). */
export function renderLocalEdgeConfig(s: LocalEdgeSettings): string {
  return [
    '# Written by voicefleet: an edge on loopback.',
    '#!define VF_CONFIGURED',
    '#!substdef "!VF_SIP_ADDR!127.0.0.1!g"',
    `#!substdef "!VF_SIP_PORT!${s.sipPort}!g"`,
    `#!substdef "!VF_INTERNAL_PORT!${s.internalSipPort}!g"`,
    '#!substdef "!VF_CONTROL_ADDR!127.0.0.1!g"',
    `#!substdef "!VF_CONTROL_PORT!${s.controlPort}!g"`,
    `#!substdef "!VF_RPC_TOKEN!${s.token}!g"`,
    `#!substdef "!VF_REGION!${s.region}!g"`,
    `#!substdef "!VF_CHILDREN!${s.children ?? 2}!g"`,
    `#!substdef "!VF_TCP_CHILDREN!${s.tcpChildren ?? 2}!g"`,
    `#!substdef "!VF_DS_LIST!${s.dispatcherList}!g"`,
    ...(s.defines ?? []).map((d) => `#!define ${d}`),
    '',
  ].join('\n');
}

/** Kamailio's command line for a configuration folder: foreground, logs to stderr, all state in `dir`. */
export function kamailioArgs(dir: string, memory: { shmMb: number; pkgMb: number }): string[] {
  return [
    '-DD',
    '-E',
    '-f',
    join(dir, 'kamailio.cfg'),
    '-Y',
    dir,
    '-P',
    join(dir, 'kamailio.pid'),
    '-w',
    dir,
    '-m',
    String(memory.shmMb),
    '-M',
    String(memory.pkgMb),
  ];
}

/**
 * A local fleet that was killed hard can leave its Kamailio running, holding the ports. Its PID file
 * names it; it is stopped only when that process really is a Kamailio running from this folder.
 */
async function stopLeftoverEdge(pidFile: string, dir: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.startsWith('kamailio') || !cmdline.includes(dir)) return;
  process.kill(pid, 'SIGTERM');
  for (
    let i = 0;
    i < 50 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')) !== '';
    i++
  ) {
    await sleep(100);
  }
}

export interface LocalEdge {
  region: string;
  sipUri: string;
  sipPort: number;
  /** Where the region's media nodes send outbound calls (the edge's internal port). */
  internalSipUri: string;
  writer: EdgeWriter;
  process: ManagedProcess;
}

export async function startLocalEdge(
  region: string,
  ports: { sip: number; internalSip: number; control: number },
  runDir: string,
): Promise<LocalEdge> {
  const dir = join(runDir, 'edge', region);
  await mkdir(dir, { recursive: true });
  await cp(EDGE_CONFIG_DIR, dir, { recursive: true });
  await stopLeftoverEdge(join(dir, 'kamailio.pid'), dir);
  const token = randomBytes(18).toString('base64url');
  const settings: LocalEdgeSettings = {
    region,
    sipPort: ports.sip,
    internalSipPort: ports.internalSip,
    controlPort: ports.control,
    token,
    dispatcherList: join(dir, 'dispatcher.list'),
  };
  await writeFile(join(dir, 'kamailio-local.cfg'), renderLocalEdgeConfig(settings), {
    mode: 0o600,
  });
  const process = spawnProcess({
    name: `the ${region} edge (kamailio)`,
    command: 'kamailio',
    args: kamailioArgs(dir, { shmMb: 128, pkgMb: 16 }),
    cwd: dir,
    logPath: join(dir, 'kamailio.log'),
  });
  const client = new KamailioRpcClient({
    name: `edge-${region}`,
    rpcUrl: `http://127.0.0.1:${ports.control}/RPC`,
    token,
  });
  await waitUntilReady(
    process,
    async () => {
      await client.call('core.uptime');
      return true;
    },
    { timeoutMs: 15_000 },
  );
  return {
    region,
    sipUri: `sip:127.0.0.1:${ports.sip}`,
    sipPort: ports.sip,
    internalSipUri: `sip:127.0.0.1:${ports.internalSip}`,
    writer: new EdgeWriter(client),
    process,
  };
}
