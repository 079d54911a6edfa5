/**
 * Starts `bin/media-node` as a child process on free loopback ports with a temp config (the
 * front-desk script, espeak TTS, pocketsphinx STT unless overridden), follows its `/events`
 * stream, and stops it in `after` hooks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  FRONT_DESK_GREETING,
  FRONT_DESK_SCRIPT,
} from '../media-node/src/providers/scripted/front-desk-script.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';

const root = new URL('..', import.meta.url).pathname;

export const FRONT_DESK_PIPELINE = {
  greeting: FRONT_DESK_GREETING,
  vad: { provider: 'energy', endOfTurnMs: 500 },
  stt: { provider: 'pocketsphinx' },
  tts: { provider: 'espeak', voice: 'en-us' },
  llm: { provider: 'scripted', script: FRONT_DESK_SCRIPT },
};

export interface NodeEvent {
  type: string;
  callId: string;
  [key: string]: unknown;
}

export interface RunningNode {
  /** The loopback address its SIP, HTTP control and metrics servers listen on. */
  host: string;
  sipPort: number;
  httpPort: number;
  metricsPort: number;
  dir: string;
  child: ChildProcess;
  events: NodeEvent[];
  logs: string[];
  exitCode: Promise<number | null>;
  /** A request to the HTTP control port. */
  http(method: string, path: string, body?: string): Promise<{ status: number; body: string }>;
  /** The Prometheus text of GET /metrics on the metrics port (throws on any other status). */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export function httpRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
  host = '127.0.0.1',
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host, port, method, path, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('http timeout')));
    req.end(body);
  });
}

function followEvents(host: string, port: number, events: NodeEvent[]): void {
  const req = request({ host, port, path: '/events' }, (res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line) events.push(JSON.parse(line) as NodeEvent);
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
}

export async function startMediaNode(
  overrides: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = {},
  /** Command prefix, e.g. `['taskset', '-c', '1']` to pin the node to one core. */
  wrap: string[] = [],
): Promise<RunningNode> {
  const dir = await mkdtemp(join(tmpdir(), 'media-node-'));
  const [sipPort = 0, httpPort = 0, metricsPort = 0] = await freePorts(3);
  const rtpBase = 30000 + 2 * Math.floor(Math.random() * 4000);
  const config = {
    agent: { namespace: 'default', name: 'front-desk' },
    region: 'local',
    sip: { host: '127.0.0.1', port: sipPort },
    rtp: { host: '127.0.0.1', portMin: rtpBase, portMax: rtpBase + 1999 },
    http: { host: '127.0.0.1', port: httpPort },
    metrics: { host: '127.0.0.1', port: metricsPort },
    capacity: { maxCalls: 10 },
    codecs: ['PCMU', 'PCMA'],
    edge: { uri: 'sip:127.0.0.1:5060' },
    transfer: { target: '+14155550199', method: 'refer' },
    media: { timeoutSeconds: 20 },
    drain: { deadlineSeconds: 30 },
    pipeline: FRONT_DESK_PIPELINE,
    ...overrides,
  };
  const host = config.http.host;
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, stringify(config));
  const [command, ...args] = [...wrap, join(root, 'bin/media-node')];
  const child = spawn(command, args, {
    env: { ...process.env, VOICEFLEET_CONFIG: configPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const exitCode = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let exited = false;
  void exitCode.then(() => (exited = true));
  await waitFor(
    async () =>
      exited ||
      (await httpRequest(config.http.port, 'GET', '/healthz', undefined, host)).status === 200,
    { timeoutMs: 30_000, message: 'media node /healthz' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`media node did not start: ${logs.join('')}`, { cause: error });
  });
  if (exited) throw new Error(`media node exited at start: ${logs.join('')}`);
  const events: NodeEvent[] = [];
  followEvents(host, config.http.port, events);
  return {
    host,
    sipPort: config.sip.port,
    httpPort: config.http.port,
    metricsPort: config.metrics.port,
    dir,
    child,
    events,
    logs,
    exitCode,
    http: (method, path, body) => httpRequest(config.http.port, method, path, body, host),
    metrics: async () => {
      const res = await httpRequest(config.metrics.port, 'GET', '/metrics', undefined, host);
      if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.body}`);
      return res.body;
    },
    stop: async () => {
      if (!exited) {
        child.kill('SIGKILL');
        await exitCode;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
