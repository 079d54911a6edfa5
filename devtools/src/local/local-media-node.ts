// One media-node process of a local pool: its config file, loopback ports, readiness and drain,
// all through the same HTTP endpoints the operator and the edge use in a cluster; its load is what
// the fleet's load tracker last heard from it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { spawnProcess, waitUntilReady, type ManagedProcess } from '../processes/supervisor.js';
import type { NodePhase } from './pool-plan.js';

/** The media node's process entry and the TypeScript loader it runs with, as bin/media-node runs it. */
const MEDIA_NODE_MAIN = fileURLToPath(import.meta.resolve('@voicefleet/media-node/main'));
const TS_LOADER = import.meta.resolve('tsx');

export interface MediaNodeLoad {
  activeCalls: number;
  capacity: number;
  draining: boolean;
}

export interface LocalMediaNodeSpec {
  id: string;
  poolKey: string;
  configHash: string;
  config: Record<string, unknown>;
  /** Env vars the Deployment would fill from Secrets (provider API keys). */
  secretEnv: Record<string, string>;
  ports: { sip: number; http: number; metrics: number; rtpMin: number; rtpMax: number };
  /** Its config's drain deadline: how long it may keep calls once told to drain. */
  drainSeconds: number;
  /** Called once when the node's process exits, whatever ended it (drain, crash, kill -9). */
  onExit?: (node: LocalMediaNode) => void;
}

const IDLE: MediaNodeLoad = { activeCalls: 0, capacity: 0, draining: false };

export class LocalMediaNode {
  phase: NodePhase = 'starting';
  load: MediaNodeLoad = IDLE;
  private process: ManagedProcess | undefined;

  constructor(readonly spec: LocalMediaNodeSpec) {}

  get httpUrl(): string {
    return `http://127.0.0.1:${this.spec.ports.http}`;
  }

  /** Where the node serves GET /metrics (and nothing else). */
  get metricsUrl(): string {
    return `http://127.0.0.1:${this.spec.ports.metrics}/metrics`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get sipPort(): number {
    return this.spec.ports.sip;
  }

  async start(runDir: string): Promise<void> {
    const dir = join(runDir, 'nodes', this.spec.id);
    await mkdir(dir, { recursive: true });
    const configFile = join(dir, 'config.yaml');
    await writeFile(configFile, stringify(this.spec.config));
    const { ports } = this.spec;
    this.process = spawnProcess({
      name: `media node ${this.spec.id}`,
      command: process.execPath,
      args: ['--enable-source-maps', '--import', TS_LOADER, MEDIA_NODE_MAIN],
      cwd: dir,
      logPath: join(dir, 'media-node.log'),
      env: {
        ...process.env,
        ...this.spec.secretEnv,
        VOICEFLEET_CONFIG: configFile,
        VOICEFLEET_SIP_PORT: String(ports.sip),
        VOICEFLEET_HTTP_PORT: String(ports.http),
        VOICEFLEET_METRICS_PORT: String(ports.metrics),
        VOICEFLEET_ADVERTISED_HOST: '127.0.0.1',
        VOICEFLEET_RTP_PORT_MIN: String(ports.rtpMin),
        VOICEFLEET_RTP_PORT_MAX: String(ports.rtpMax),
      },
    });
    void this.process.exited.then(() => {
      // A node that is gone carries no calls: its last load must not linger in the table.
      this.load = IDLE;
      this.phase = this.phase === 'draining' ? 'draining' : 'failed';
      this.spec.onExit?.(this);
    });
    await waitUntilReady(
      this.process,
      async () => (await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(500) })).ok,
      { timeoutMs: 30_000 },
    );
    this.phase = 'ready';
  }

  /** Asks the node to finish its calls and exit (the edge has already stopped sending it calls). */
  async drain(): Promise<void> {
    this.phase = 'draining';
    try {
      await fetch(`${this.httpUrl}/drain`, { method: 'POST', signal: AbortSignal.timeout(2000) });
    } catch {
      await this.process?.stop(); // SIGTERM drains too (SIGKILL after 5 s)
    }
  }

  /** Resolves once the process has exited. */
  async waitForExit(): Promise<void> {
    await this.process?.exited;
  }

  get exited(): boolean {
    return this.process?.isRunning() !== true;
  }

  async stop(graceMs: number): Promise<void> {
    await this.process?.stop({ timeoutMs: graceMs });
  }
}
