// Each container image on its own, on the local Docker engine through testcontainers, run the way
// the chart runs its pods (the image's non-root user, read-only root filesystem, no capabilities):
// the edge boots from the chart's own files and answers OPTIONS, 403 and 404; the media node
// answers a spoken call; the operator reaches /readyz against a real API server.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { stringify } from 'yaml';
import { placeTestCall } from '@voicefleet/devtools/caller';
import { helmSkipReason, renderChart, type RenderedObject } from './chart-helm.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { freePort, waitFor } from '@voicefleet/devtools/processes';
import {
  HardenedContainer,
  buildImages,
  dockerSkipReason,
  imageRef,
  imageSizesMiB,
} from './harness/images.js';
import { sipRequest } from './harness/sip-probe.js';
import { installCrds } from './operator-helpers.js';
import {
  FRONT_DESK_GREETING,
  FRONT_DESK_SCRIPT,
} from '../media-node/src/providers/scripted/front-desk-script.js';

const dockerSkip = dockerSkipReason();

/** A temp dir the containers' user (65532) can read when it is bind-mounted. */
function readableDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

describe('images', { skip: dockerSkip }, () => {
  before(() => buildImages());

  test('each image is small and labelled, and runs as a fixed non-root user', async () => {
    const sizes = imageSizesMiB();
    process.stderr.write(`image sizes (MiB): ${JSON.stringify(sizes)}\n`);
    const { execFileSync } = await import('node:child_process');
    for (const name of ['operator', 'media-node', 'edge'] as const) {
      const info = JSON.parse(
        execFileSync('docker', ['image', 'inspect', imageRef(name)], { encoding: 'utf8' }),
      ) as [{ Config: { User: string; Labels: Record<string, string> } }];
      const { User, Labels } = info[0].Config;
      assert.equal(User, '65532:65532', `${name} runs as 65532:65532`);
      assert.equal(Labels['org.opencontainers.image.title'], `voicefleet-${name}`);
      assert.match(Labels['org.opencontainers.image.version'] ?? '', /^\d+\.\d+\.\d+/);
    }
    // Node.js alone is ~107 MiB, Debian slim ~75 MiB: anything far above means a build tool or
    // the whole node_modules slipped into a final stage.
    assert.ok(sizes.operator < 220, `operator ${sizes.operator} MiB`);
    assert.ok(sizes['media-node'] < 400, `media-node ${sizes['media-node']} MiB`);
    assert.ok(sizes.edge < 220, `edge ${sizes.edge} MiB`);
  });

  test('no final image carries npm, a compiler, TypeScript sources or tsx', async () => {
    for (const name of ['operator', 'media-node'] as const) {
      const c = await new HardenedContainer(imageRef(name))
        .withEntrypoint(['/bin/sh', '-c'])
        .withCommand([
          'for p in npm npx gcc cc tsc; do command -v $p && exit 1; done; ' +
            'find / -xdev \\( -name "*.ts" -o -name tsx -o -name typescript \\) ! -name "*.d.ts" -print -quit | grep . && exit 1; ' +
            'echo clean; sleep 30',
        ])
        .withWaitStrategy(Wait.forLogMessage('clean'))
        .start();
      await c.stop({ timeout: 0 });
    }
  });
});

describe('edge image boots from the chart files', { skip: dockerSkip || helmSkipReason }, () => {
  let edge: StartedTestContainer;
  let dir: string;
  let address: string;
  const token = 'image-test.Token_0123456789';

  before(async () => {
    buildImages();
    const objects = renderChart('');
    const deployment = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata?.name?.endsWith('-edge'),
    ) as RenderedObject;
    const configMap = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata?.name?.endsWith('-edge'),
    ) as RenderedObject;
    dir = readableDir('vf-edge-image-');
    for (const [file, text] of Object.entries(configMap.data as Record<string, string>))
      writeFileSync(join(dir, file), text);
    const pod = deployment.spec.template.spec;
    const init = pod.initContainers[0].args[0] as string;
    const main = pod.containers[0] as { command: string[]; args: string[] };
    // The init container and Kamailio in one container: the script, then exec the command line.
    edge = await new HardenedContainer(imageRef('edge'))
      .withBindMounts([{ source: dir, target: '/etc/voicefleet/kamailio', mode: 'ro' }])
      .withTmpFs({ '/run/kamailio': 'rw,size=16m,uid=65532,gid=65532' })
      .withEnvironment({ VF_RPC_TOKEN: token, VF_ADVERTISE_ADDR: '' })
      .withEntrypoint(['/bin/sh', '-ec', `POD_IP=$(hostname -i)\n${init}\nexec "$@"`, 'edge'])
      .withCommand([...main.command, ...main.args])
      .withExposedPorts(5090)
      .withWaitStrategy(Wait.forHttp('/metrics', 5090).forStatusCode(200))
      .withStartupTimeout(60_000)
      .start();
    address = edge.getIpAddress(edge.getNetworkNames()[0]!);
  });
  after(async () => {
    await edge?.stop({ timeout: 2_000 });
    rmSync(dir, { recursive: true, force: true });
  });

  test('OPTIONS to the edge itself: 200', async () => {
    const reply = await sipRequest({ method: 'OPTIONS', host: address, port: 5060 });
    assert.match(reply, /^SIP\/2\.0 200 /);
  });

  test('an INVITE from a source in no trunk ACL: 403; once in an ACL, an unknown number: 404', async () => {
    const invite = () =>
      sipRequest({ method: 'INVITE', host: address, port: 5060, user: '+15550000000' });
    assert.match(await invite(), /^SIP\/2\.0 403 /);
    const rpc = await fetch(`http://${address}:5090/RPC`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'htable.sets',
        params: ['trunkacl', '90', '0.0.0.0/0'],
        id: 1,
      }),
    });
    assert.equal(rpc.status, 200, await rpc.text());
    assert.match(await invite(), /^SIP\/2\.0 404 /);
  });

  test('JSON-RPC without the token: 403', async () => {
    const r = await fetch(`http://${address}:5090/RPC`, {
      method: 'POST',
      body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}',
    });
    assert.equal(r.status, 403);
  });
});

describe('media-node image answers a call', { skip: dockerSkip }, () => {
  let node: StartedTestContainer;
  let dir: string;
  let address: string;

  before(async () => {
    buildImages();
    dir = readableDir('vf-media-image-');
    writeFileSync(
      join(dir, 'config.yaml'),
      stringify({
        agent: { namespace: 'default', name: 'front-desk' },
        region: 'local',
        sip: { host: '0.0.0.0', port: 5060, advertisedHost: '' },
        rtp: { host: '0.0.0.0', portMin: 20000, portMax: 20099 },
        http: { host: '0.0.0.0', port: 8080 },
        capacity: { maxCalls: 4 },
        edge: { uri: 'sip:127.0.0.1:5060' },
        pipeline: {
          greeting: FRONT_DESK_GREETING,
          vad: { provider: 'silero', endOfTurnMs: 500 },
          stt: { provider: 'pocketsphinx' },
          tts: { provider: 'espeak', voice: 'en-us' },
          llm: { provider: 'scripted', script: FRONT_DESK_SCRIPT },
        },
      }),
    );
    node = await new HardenedContainer(imageRef('media-node'))
      .withBindMounts([{ source: dir, target: '/etc/voicefleet', mode: 'ro' }])
      .withTmpFs({ '/tmp': 'rw,size=64m,mode=1777' })
      .withEnvironment({ VOICEFLEET_CONFIG: '/etc/voicefleet/config.yaml' })
      .withEntrypoint([
        '/bin/sh',
        '-ec',
        'export VOICEFLEET_ADVERTISED_HOST=$(hostname -i); exec node --enable-source-maps /app/main.js',
      ])
      .withExposedPorts(8080, 9464)
      .withWaitStrategy(Wait.forHttp('/readyz', 8080).forStatusCode(200))
      .withStartupTimeout(60_000)
      .start();
    address = node.getIpAddress(node.getNetworkNames()[0]!);
  });
  after(async () => {
    await node?.stop({ timeout: 5_000 });
    rmSync(dir, { recursive: true, force: true });
  });

  test('greeting, one spoken turn answered, goodbye: the call is counted', async () => {
    const result = await placeTestCall({
      edgeUri: `sip:${address}:5060`,
      number: '+14155550100',
      steps: [{ say: 'what time do you open on saturday' }, { say: 'goodbye' }],
      nodeUrls: [`http://${address}:8080`],
      replyTimeoutMs: 10_000,
    });
    assert.ok(result.answered, result.failure);
    assert.ok(result.greetingHeard, 'greeting heard');
    assert.ok(result.turns[0]?.mouthToEarMs !== undefined, 'the first turn was answered');
    assert.equal(result.endedBy, 'agent');
    // the metrics listener on its default port, apart from the control port
    const metrics = await (await fetch(`http://${address}:9464/metrics`)).text();
    assert.match(metrics, /^voicefleet_calls_total\{[^}]*direction="inbound"[^}]*\} [1-9]/m);
  });
});

describe(
  'operator image reaches /readyz against a real API server',
  { skip: dockerSkip || controlPlaneSkipReason() },
  () => {
    let plane: ControlPlane;
    let operator: StartedTestContainer;
    let dir: string;
    let port: number;

    before(async () => {
      buildImages();
      plane = await startControlPlane({ controllerManager: false });
      await installCrds(plane.kubeConfig);
      dir = readableDir('vf-operator-image-');
      writeFileSync(join(dir, 'kubeconfig'), readFileSync(plane.kubeconfigPath));
      port = await freePort();
      // Host network: the harness API server listens on loopback only.
      operator = await new HardenedContainer(imageRef('operator'))
        .withNetworkMode('host')
        .withBindMounts([{ source: dir, target: '/etc/voicefleet', mode: 'ro' }])
        .withCommand([
          '--kubeconfig=/etc/voicefleet/kubeconfig',
          '--regions=us-east-1',
          '--no-leader-election',
          '--metrics-host=127.0.0.1',
          `--metrics-port=${port}`,
        ])
        .withWaitStrategy(Wait.forLogMessage(/operator started|caches synced|listening/i))
        .withStartupTimeout(60_000)
        .start();
    });
    after(async () => {
      await operator?.stop({ timeout: 2_000 });
      await plane?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('/readyz turns 200 once the caches sync', async () => {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, {
        timeoutMs: 30_000,
        message: 'operator /readyz',
      });
    });
  },
);
