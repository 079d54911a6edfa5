// The edge exactly as the chart runs it: the init container script rendered by helm writes
// kamailio-local.cfg next to files/kamailio/*, and the container's kamailio command line starts a
// real Kamailio on it. Paths and bind addresses are moved to a temp dir and loopback; nothing else
// is changed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chartDir, helmSkipReason, renderChart, type RenderedObject } from './chart-helm.js';
import {
  freePorts,
  spawnProcess,
  type ManagedProcess,
  waitFor,
} from '@voicefleet/devtools/processes';
import { kamailioAvailable } from './harness/kamailio.js';

function kamailioSkip(): string | false {
  if (kamailioAvailable()) return false;
  if (process.env.CI === 'true')
    throw new Error('kamailio is not installed: run scripts/ensure-system-packages.sh');
  return 'skipped: kamailio is not installed';
}

const TOKEN = 'chart-test.Token_0123456789';

function localize(text: string, runDir: string): string {
  return text
    .replaceAll('/run/kamailio', runDir)
    .replaceAll('/etc/voicefleet/kamailio', join(chartDir, 'files/kamailio'))
    .replaceAll('!VF_SIP_ADDR!0.0.0.0!g', '!VF_SIP_ADDR!127.0.0.1!g')
    .replaceAll('!VF_CONTROL_ADDR!0.0.0.0!g', '!VF_CONTROL_ADDR!127.0.0.1!g');
}

function runInit(script: string, token: string) {
  return spawnSync('/bin/sh', ['-ec', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      POD_IP: '127.0.0.1',
      VF_ADVERTISE_ADDR: '',
      VF_RPC_TOKEN: token,
    },
  });
}

function sipOptions(port: number): Promise<string> {
  const socket = createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no SIP reply within 3 s')), 3000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      resolve(msg.toString());
    });
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      const msg = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-chart-${Date.now()};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1:${local}>;tag=chart`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: chart-edge-${Date.now()}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(msg, port, '127.0.0.1');
    });
  }).finally(() => socket.close());
}

describe(
  'the chart edge starts a real Kamailio',
  { skip: helmSkipReason || kamailioSkip() },
  () => {
    let runDir: string;
    let kamailio: ManagedProcess | undefined;
    let sipPort: number;
    let controlPort: number;
    let edge: RenderedObject;

    before(async () => {
      [sipPort = 0, controlPort = 0] = await freePorts(2);
      runDir = mkdtempSync(join(tmpdir(), 'vf-chart-edge-'));
      const values = `
edge:
  sipPort: ${sipPort}
  controlPort: ${controlPort}
  children: 2
  tcpChildren: 2
  sharedMemoryMB: 64
  privateMemoryMB: 8
  defines: ["PROBE_TIMEOUT_MS 400"]
`;
      edge = renderChart(values).find(
        (o) => o.kind === 'Deployment' && o.metadata?.name?.endsWith('-edge'),
      )!;
    });
    after(async () => {
      await kamailio?.stop();
      rmSync(runDir, { recursive: true, force: true });
    });

    test('the init script refuses a token Kamailio could not use', () => {
      const script = localize(edge.spec.template.spec.initContainers[0].args[0] as string, runDir);
      const r = runInit(script, 'has "quotes" and spaces');
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /RPC token must be non-empty and use only/);
    });

    test('kamailio runs on the rendered config: token-guarded JSON-RPC, /metrics, SIP OPTIONS', async () => {
      const script = localize(edge.spec.template.spec.initContainers[0].args[0] as string, runDir);
      const init = runInit(script, TOKEN);
      assert.equal(init.status, 0, init.stderr);
      const local = readFileSync(join(runDir, 'kamailio-local.cfg'), 'utf8');
      assert.match(local, new RegExp(`!VF_RPC_TOKEN!${TOKEN.replace('.', '\\.')}!g`));
      assert.match(local, /!VF_ADVERTISE_ADDR!127\.0\.0\.1!g/);
      assert.match(local, /^#!define PROBE_TIMEOUT_MS 400$/m);

      const container = edge.spec.template.spec.containers[0] as {
        command: string[];
        args: string[];
      };
      kamailio = spawnProcess({
        name: 'kamailio',
        command: container.command[0]!,
        args: container.args.map((a) => localize(a, runDir)),
        logPath: join(runDir, 'kamailio.log'),
        cwd: runDir,
      });
      const rpc = (auth?: string) =>
        fetch(`http://127.0.0.1:${controlPort}/RPC`, {
          method: 'POST',
          headers: auth ? { authorization: auth } : {},
          body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}',
          signal: AbortSignal.timeout(1000),
        });
      const ok = await waitFor(
        async () => {
          if (!kamailio!.isRunning()) throw new Error(`kamailio exited: ${kamailio!.logTail(20)}`);
          const r = await rpc(`Bearer ${TOKEN}`);
          return r.status === 200 ? r : undefined;
        },
        { timeoutMs: 20_000, message: 'kamailio JSON-RPC' },
      );
      assert.match(await ok.text(), /"uptime"/);
      assert.equal((await rpc()).status, 403);
      assert.equal((await rpc('Bearer wrong')).status, 403);
      const metrics = await fetch(`http://127.0.0.1:${controlPort}/metrics`, {
        signal: AbortSignal.timeout(1000),
      });
      assert.equal(metrics.status, 200);
      const reply = await sipOptions(sipPort);
      assert.match(reply, /^SIP\/2\.0 200 /);
    });
  },
);
