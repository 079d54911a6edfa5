// The installed tier: voicefleet installed on a real single-node Kubernetes exactly as the README's
// "Install in a cluster" section tells a user (plus the image values this machine needs), then
// used the way a carrier and an application would: calls from outside the cluster through the
// edge's NodePort, an outbound call from a media pod through the edge to a fake carrier on the
// host (503 from the first gateway, a digest challenge from the second), `helm test`,
// `helm upgrade` during a call, `helm uninstall`. Nothing here runs with an admin token but the
// test's own kubectl: the operator uses the chart's ServiceAccount and RBAC. NetworkPolicies are
// enforced (kube-router's firewall on the node), so every call below also crosses the media pods'
// policy the way production traffic does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { quantityValue } from '@voicefleet/api';
import { placeTestCall, type TestCallResult } from '@voicefleet/devtools/caller';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import { mediaPodResources } from '../operator/src/voice-agent/pod-resources.js';
import { helmBinary, helmSkipReason } from './chart-helm.js';
import { CAP_NET_BIND_SERVICE, containerProcess } from './harness/container-process.js';
import { buildImages, dockerSkipReason, imageRef } from './harness/images.js';
import {
  NODE_IP,
  findKubeRouter,
  realClusterSkipReason,
  startRealCluster,
  type RealCluster,
} from './harness/real-cluster.js';
import { LOCAL_CLUSTER_VALUES, readmeHelmArgs, readmeInstall } from './harness/readme-install.js';
import { SIPP_DIR, runSippLoad, sippMissing } from './harness/sipp.js';

const root = new URL('..', import.meta.url).pathname;
const NS = 'voicefleet';
const RELEASE = 'voicefleet';
const NUMBER = '+14155550100';
const MiB = 1024 * 1024;

interface RunningPod {
  metadata: { name: string };
  status: { containerStatuses?: { name: string; containerID?: string }[] };
}

function skipReason(): string | false {
  return (
    dockerSkipReason() || helmSkipReason || realClusterSkipReason() || sippSkip() || routerSkip()
  );
}

function routerSkip(): string | false {
  const found = findKubeRouter();
  if ('path' in found) return false;
  if (process.env.CI === 'true') throw new Error(found.missing);
  return `skipped: ${found.missing}`;
}

/**
 * Run by `node -e` inside a pod: for each [host, port, protocol] prints the outcome as a JSON
 * line: TCP 'open' or the error, UDP 'answered' (a SIP OPTIONS got a reply) or 'silent'.
 */
const REACH_SCRIPT = `
const net = require('node:net'), dgram = require('node:dgram');
const tcp = (host, port) => new Promise((done) => {
  const s = net.connect({ host, port, timeout: 3000 });
  s.on('connect', () => { s.destroy(); done('open'); });
  s.on('timeout', () => { s.destroy(); done('timeout'); });
  s.on('error', (e) => done(e.code));
});
const sip = (host, port) => new Promise((done) => {
  const s = dgram.createSocket('udp4');
  const t = setTimeout(() => { s.close(); done('silent'); }, 3000);
  s.on('message', () => { clearTimeout(t); s.close(); done('answered'); });
  s.bind(0, () => {
    const me = s.address().port;
    const msg = ['OPTIONS sip:' + host + ':' + port + ' SIP/2.0',
      'Via: SIP/2.0/UDP 0.0.0.0:' + me + ';branch=z9hG4bK' + Date.now() + ';rport',
      'From: <sip:probe@invalid>;tag=1', 'To: <sip:' + host + '>', 'Call-ID: ' + Date.now() + '@probe',
      'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\\r\\n');
    s.send(msg, port, host);
  });
});
(async () => {
  for (const [host, port, proto] of JSON.parse(process.argv[1]))
    console.log(JSON.stringify([host, port, proto === 'udp' ? await sip(host, port) : await tcp(host, port)]));
})();
`;

function sippSkip(): string | false {
  const missing = sippMissing();
  return missing === undefined ? false : `skipped: ${missing}`;
}

describe(
  'installed: helm install on a real cluster, calls in and out',
  { skip: skipReason() },
  () => {
    let cluster: RealCluster;
    let installStarted = 0;
    let nodePort = 0;
    const helm = (args: readonly string[], timeoutMs = 300_000) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          helmBinary!,
          [...args, '--kubeconfig', cluster.kubeconfigPath],
          { timeout: timeoutMs, maxBuffer: 8 << 20 },
          (err, stdout, stderr) =>
            err
              ? reject(new Error(`helm ${args.join(' ')}: ${stderr || err.message}`))
              : resolve(stdout),
        );
      });
    const kubectl = (args: readonly string[], input?: string) =>
      cluster.kubectl(args, input === undefined ? {} : { input });
    const jsonOf = async <T>(args: readonly string[]): Promise<T> =>
      JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
    const mediaPods = async () =>
      (await jsonOf<{ items: { metadata: { name: string }; status: { podIP?: string } }[] }>([
        '-n', 'default', 'get', 'pods', '-l', 'app.kubernetes.io/name=voicefleet-media-node',
      ])) // prettier-ignore
      .items;
    const call = (steps: { say: string }[]): Promise<TestCallResult> =>
      mediaPods().then((pods) =>
        placeTestCall({
          edgeUri: `sip:${NODE_IP}:${nodePort}`,
          number: NUMBER,
          steps,
          nodeUrls: pods.flatMap((p) => (p.status.podIP ? [`http://${p.status.podIP}:8080`] : [])),
          replyTimeoutMs: 15_000,
        }),
      );
    const diagnostics = async (): Promise<string> =>
      [
        await kubectl([
          'get',
          'pods,svc,deploy,rs,pdb,voiceagents,siptrunks',
          '-A',
          '-o',
          'wide',
        ]).catch((e: unknown) => String(e)),
        await kubectl(['get', 'events', '-n', NS, '--sort-by=.lastTimestamp']).catch((e: unknown) =>
          String(e),
        ),
      ].join('\n');

    before(async () => {
      buildImages();
      cluster = await startRealCluster({ enforceNetworkPolicy: true });
      process.stderr.write(`real cluster ready in ${cluster.readyMs} ms\n`);
      await cluster.loadImages([imageRef('operator'), imageRef('edge'), imageRef('media-node')]);
    });
    after(async () => {
      await cluster?.stop();
    });

    test("helm install with the README's command: operator and edge Ready under the chart's RBAC", async () => {
      const { helm: readmeHelm } = readmeInstall();
      assert.deepEqual(readmeHelm.slice(0, 4), ['helm', 'install', RELEASE, 'charts/voicefleet']);
      installStarted = Date.now();
      await helm([...readmeHelmArgs(), ...LOCAL_CLUSTER_VALUES, '--wait', '--timeout', '4m']);
      const operators = await jsonOf<{
        items: { spec: { serviceAccountName: string }; status: { phase: string } }[];
      }>(['-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/component=operator']);
      assert.ok(operators.items.length >= 1);
      for (const p of operators.items) {
        assert.equal(p.spec.serviceAccountName, `${RELEASE}-operator`);
        assert.equal(p.status.phase, 'Running');
      }
      const svc = await jsonOf<{ spec: { ports: { name: string; nodePort: number }[] } }>([
      '-n', NS, 'get', 'service', `${RELEASE}-edge`,
    ]); // prettier-ignore
      nodePort = svc.spec.ports.find((p) => p.name === 'sip-udp')?.nodePort ?? 0;
      assert.ok(nodePort > 0, 'the edge Service has a node port');
    });

    /** What the kernel says of each pod's container process matches the locked-down spec. */
    const expectLockedDown = async (
      namespace: string,
      selector: string,
      e: { container: string; capBnd: bigint; memory: number | undefined },
    ) => {
      const pods = await jsonOf<{ items: RunningPod[] }>([
        '-n',
        namespace,
        'get',
        'pods',
        '-l',
        selector,
      ]);
      assert.ok(pods.items.length >= 1, `pods ${selector}`);
      for (const pod of pods.items) {
        const id = pod.status.containerStatuses?.find((c) => c.name === e.container)?.containerID;
        assert.ok(id, `${pod.metadata.name}: ${e.container} is running`);
        const p = containerProcess(id);
        const what = `${pod.metadata.name}/${e.container} (pid ${p.pid})`;
        assert.deepEqual(p.uids, [65532, 65532, 65532, 65532], `${what}: user`);
        assert.deepEqual(p.gids, [65532, 65532, 65532, 65532], `${what}: group`);
        assert.equal(p.capBnd, e.capBnd, `${what}: bounding capabilities`);
        assert.equal(p.capEff & ~e.capBnd, 0n, `${what}: effective capabilities`);
        assert.ok(p.noNewPrivs, `${what}: no privilege escalation`);
        assert.equal(p.seccomp, 2, `${what}: seccomp filter (RuntimeDefault)`);
        assert.ok(p.rootReadOnly, `${what}: read-only root filesystem`);
        assert.equal(p.memoryLimitBytes, e.memory, `${what}: memory limit`);
      }
    };

    test('operator and edge processes run as the chart says: user 65532, no capabilities, seccomp, read-only root, memory limit', async () => {
      await expectLockedDown(NS, 'app.kubernetes.io/component=operator', {
        container: 'operator',
        capBnd: 0n,
        memory: 512 * MiB,
      });
      await expectLockedDown(NS, 'app.kubernetes.io/component=edge', {
        container: 'kamailio',
        capBnd: CAP_NET_BIND_SERVICE,
        memory: 1024 * MiB,
      });
    });

    test("the operator's PodDisruptionBudget: a drain may evict one operator pod, never both at once", async () => {
      const pdb = `${RELEASE}-operator`;
      await waitFor(
        async () =>
          (
            await jsonOf<{ status?: { disruptionsAllowed?: number } }>([
              '-n',
              NS,
              'get',
              'pdb',
              pdb,
            ])
          ).status?.disruptionsAllowed === 1,
        { timeoutMs: 30_000, message: 'the operator PodDisruptionBudget allows one disruption' },
      );
      const pods = await jsonOf<{ items: RunningPod[] }>([
        '-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/component=operator',
      ]); // prettier-ignore
      const [first, second] = pods.items.map((p) => p.metadata.name);
      assert.ok(first && second, 'two operator pods');
      const evict = (name: string) =>
        kubectl(
          ['create', '--raw', `/api/v1/namespaces/${NS}/pods/${name}/eviction`, '-f', '-'],
          JSON.stringify({
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name, namespace: NS },
          }),
        );
      await evict(first);
      await assert.rejects(evict(second), /disruption budget/);
      await kubectl([
        '-n',
        NS,
        'rollout',
        'status',
        `deploy/${RELEASE}-operator`,
        '--timeout=120s',
      ]);
    });

    test('kubectl apply of the examples: the front desk goes Ready and its routing is published', async () => {
      const { apply } = readmeInstall();
      assert.equal(apply[0], 'kubectl');
      await kubectl(apply.slice(1).map((a) => (a.startsWith('crds/') ? join(root, a) : a)));
      await kubectl([
        'wait',
        '--for=condition=Ready',
        'voiceagent/front-desk',
        '--timeout=180s',
      ]).catch(async (e: unknown) => {
        throw new Error(`${String(e)}\n${await diagnostics()}`);
      });
      await kubectl([
      'wait', '--for=condition=RoutingPublished', 'voiceagent/front-desk', '--timeout=60s',
    ]); // prettier-ignore
    });

    test('media pods run as the operator writes them: user 65532, only NET_BIND_SERVICE, seccomp, read-only root, memory limit sized from callsPerPod', async () => {
      const agent = await jsonOf<{ spec: { capacity: { callsPerPod: number } } }>([
        '-n', 'default', 'get', 'voiceagent', 'front-desk',
      ]); // prettier-ignore
      const limit = mediaPodResources(agent.spec.capacity.callsPerPod, undefined).limits?.memory;
      await expectLockedDown('default', 'voicefleet.io/agent=front-desk', {
        container: 'media-node',
        capBnd: CAP_NET_BIND_SERVICE,
        memory: quantityValue(String(limit)),
      });
    });

    test("the media pods' NetworkPolicy, enforced: a pod outside it reaches neither a media pod's control port nor its SIP port, only its metrics port; the operator reaches the control port", async () => {
      // One per media pool, named like the pool's Deployment: <agent>-<region>.
      const policy = await jsonOf<{
        spec: { podSelector: { matchLabels: Record<string, string> } };
      }>(['-n', 'default', 'get', 'networkpolicy', 'front-desk-us-east-1']);
      const selector = Object.entries(policy.spec.podSelector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const selected = await jsonOf<{ items: { status: { podIP?: string } }[] }>([
        '-n', 'default', 'get', 'pods', '-l', selector,
      ]); // prettier-ignore
      const mediaIp = selected.items.find((p) => p.status.podIP !== undefined)?.status.podIP;
      assert.ok(mediaIp, 'a front desk media pod the policy selects, with an address');
      const operators = await jsonOf<{
        items: { metadata: { name: string }; status: { podIP?: string } }[];
      }>(['-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/component=operator']);
      const operator = operators.items.find((p) => p.status.podIP !== undefined);
      assert.ok(operator?.status.podIP, 'an operator pod with an address');
      const edgeIp = (
        await jsonOf<{ spec: { clusterIP: string } }>([
          '-n',
          NS,
          'get',
          'service',
          `${RELEASE}-edge`,
        ])
      ).spec.clusterIP;
      type Probe = [string, number, 'tcp' | 'udp'];
      const outcome = (out: string) =>
        Object.fromEntries(
          out
            .split('\n')
            .filter((l) => l.startsWith('['))
            .map((l) => JSON.parse(l) as [string, number, string])
            .map(([h, p, r]) => [`${h}:${p}`, r]),
        );
      const probes: Probe[] = [
        [mediaIp, 8080, 'tcp'],
        [mediaIp, 5060, 'udp'],
        // Where Prometheus stands with the default metricsFrom (any pod): the metrics port alone.
        [mediaIp, 9464, 'tcp'],
        // Controls, open to every pod: the operator's metrics port and the edge's public SIP.
        [operator.status.podIP, 8080, 'tcp'],
        [edgeIp, 5060, 'udp'],
      ];
      const outsider = 'np-outsider';
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: outsider, namespace: 'default' },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'probe',
                image: imageRef('media-node'),
                imagePullPolicy: 'Never',
                command: ['node', '-e', REACH_SCRIPT, JSON.stringify(probes)],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        }),
      );
      try {
        await waitFor(
          async () =>
            (await jsonOf<{ status: { phase: string } }>(['-n', 'default', 'get', 'pod', outsider]))
              .status.phase === 'Succeeded',
          { timeoutMs: 60_000, message: 'the outside pod ran its probes' },
        );
        const seen = outcome(await kubectl(['-n', 'default', 'logs', outsider]));
        assert.equal(
          seen[`${operator.status.podIP}:8080`],
          'open',
          'control: pods reach the operator metrics port',
        );
        assert.equal(seen[`${edgeIp}:5060`], 'answered', 'control: pods reach the edge');
        assert.notEqual(
          seen[`${mediaIp}:8080`],
          'open',
          "an outside pod cannot reach the media pod's control port",
        );
        assert.equal(
          seen[`${mediaIp}:5060`],
          'silent',
          'an outside pod cannot send the media pod SIP',
        );
        assert.equal(
          seen[`${mediaIp}:9464`],
          'open',
          "a pod in Prometheus's place reaches the media pod's metrics port",
        );
      } finally {
        await kubectl(['-n', 'default', 'delete', 'pod', outsider, '--wait=false']);
      }
      const fromOperator = outcome(
        await kubectl([
          '-n', NS, 'exec', operator.metadata.name, '-c', 'operator', '--',
          'node', '-e', REACH_SCRIPT, JSON.stringify([[mediaIp, 8080, 'tcp']]),
        ]), // prettier-ignore
      );
      assert.equal(
        fromOperator[`${mediaIp}:8080`],
        'open',
        "the operator reaches the media pod's control port",
      );
      // The node is admitted to its own pods: from the host the same OPTIONS gets the media pod's
      // answer, so the outside pod's silence above is the policy's doing, not the media node's.
      const fromHost = await promisify(execFile)(
        process.execPath,
        ['-e', REACH_SCRIPT, JSON.stringify([[mediaIp, 5060, 'udp']])],
        { timeout: 15_000 },
      );
      assert.equal(
        outcome(fromHost.stdout)[`${mediaIp}:5060`],
        'answered',
        'control: the media pod answers OPTIONS from the node',
      );
      // The edge reaching the media pods' SIP port is what every call below proves.
    });

    test('what a user must fix shows on the VoiceAgent: an image that cannot be pulled, a crash loop, a trunk Secret that cannot be read', async () => {
      const front = await jsonOf<{ spec: Record<string, unknown> }>([
        'get',
        'voiceagent',
        'front-desk',
      ]);
      const agent = (name: string, number: string, extra: Record<string, unknown>) => ({
        apiVersion: 'voicefleet.io/v1alpha1',
        kind: 'VoiceAgent',
        metadata: { name, namespace: 'default' },
        // They take no call: a small CPU request, so the one node has room for them beside the
        // front desk's pods (sized for 50 calls each).
        spec: {
          ...front.spec,
          numbers: [number],
          resources: { requests: { cpu: '50m' } },
          ...extra,
        },
      });
      const trunk = {
        apiVersion: 'voicefleet.io/v1alpha1',
        kind: 'SipTrunk',
        metadata: { name: 'no-creds', namespace: 'default' },
        spec: {
          gateways: [{ name: 'gw', host: '127.0.0.1', port: 5093, transport: 'udp' }],
          outbound: { credentialsSecretRef: { name: 'no-such-secret' } },
        },
      };
      const objects = [
        trunk,
        agent('bad-image', '+14155550197', {
          image: 'voicefleet/media-node:not!a!tag',
          trunks: ['no-creds'],
        }),
        // The edge's image is no media node: Kamailio finds no configuration and exits.
        agent('crash-loop', '+14155550198', { image: imageRef('edge'), trunks: [] }),
      ];
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
      );
      type Conditions = {
        status?: {
          conditions?: { type: string; status: string; reason: string; message: string }[];
        };
      };
      const conditionOf = async (name: string, type: string) =>
        (await jsonOf<Conditions>(['get', 'voiceagent', name])).status?.conditions?.find(
          (c) => c.type === type,
        );
      try {
        const badImage = await waitFor(
          async () => {
            const c = await conditionOf('bad-image', 'Degraded');
            return c?.reason === 'ImageNotPulled' ? c : undefined;
          },
          { timeoutMs: 90_000, message: 'bad-image: Degraded=ImageNotPulled' },
        );
        assert.equal(badImage.status, 'True');
        assert.match(badImage.message, /"voicefleet\/media-node:not!a!tag" \(InvalidImageName/);
        assert.match(badImage.message, /fix spec\.image/);
        assert.match(
          badImage.message,
          /SipTrunk no-creds cannot authenticate: Secret default\/no-such-secret does not exist/,
        );
        assert.equal((await conditionOf('bad-image', 'Ready'))?.reason, 'ImageNotPulled');
        const crash = await waitFor(
          async () => {
            const c = await conditionOf('crash-loop', 'Degraded');
            return c?.reason === 'CrashLooping' ? c : undefined;
          },
          { timeoutMs: 120_000, message: 'crash-loop: Degraded=CrashLooping' },
        );
        assert.match(crash.message, /keeps crashing \(exit code [1-9]\d*/);
        assert.match(crash.message, /kubectl logs crash-loop-\S+ --previous/);
      } finally {
        await kubectl([
          'delete',
          'voiceagent/bad-image',
          'voiceagent/crash-loop',
          'siptrunk/no-creds',
          '--wait=false',
        ]);
      }
    });

    test('a call from outside the cluster through the NodePort: greeting, one turn, BYE', async () => {
      // The first call can race the edge's probe of a pod that just became Ready: retry briefly.
      const result = await waitFor(
        async () => {
          const r = await call([{ say: 'what time do you open on saturday' }]);
          return r.answered ? r : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1_000, message: 'first call answered' },
      );
      const firstCallS = (Date.now() - installStarted) / 1000;
      process.stderr.write(`helm install -> first answered call: ${firstCallS.toFixed(1)} s\n`);
      assert.ok(result.greetingHeard, 'greeting heard');
      assert.ok(result.turns[0]?.mouthToEarMs !== undefined, 'the turn was answered');
      assert.equal(result.endedBy, 'you');
    });

    test('sipp calls through the NodePort: answered and hung up', async () => {
      const r = await runSippLoad({
        target: `${NODE_IP}:${nodePort}`,
        number: NUMBER,
        calls: 3,
        rate: 3,
        holdMs: 500,
        localIp: NODE_IP,
      });
      assert.equal(r.successful, 3, r.errors.join('\n'));
    });

    test('an outbound call from a media pod reaches the carrier: 503 fails over, the digest challenge is answered', async () => {
      const [primaryPort = 0, backupPort = 0] = await freePorts(2);
      // Two sipp gateways on this host, answering the edge's OPTIONS probes (-aa) until stopped;
      // what each received and sent is read back from its message log.
      const logs = mkdtempSync(join(tmpdir(), 'vf-carrier-'));
      const gateway = (scenario: string, port: number) =>
        execFile(
          'sipp',
          ['-sf', join(SIPP_DIR, scenario), '-i', NODE_IP, '-p', String(port), '-aa', '-nostdin',
           '-mp', String(port + 1000), '-trace_msg', '-message_file', join(logs, `${port}.log`)],
          () => undefined,
        ); // prettier-ignore
      const gateways = [
        gateway('carrier-uas-503.xml', primaryPort),
        gateway('carrier-uas-auth.xml', backupPort),
      ];
      const messages = (port: number) => {
        try {
          return readFileSync(join(logs, `${port}.log`), 'utf8');
        } catch {
          return '(nothing received)';
        }
      };
      try {
        // The example trunk's gateways are placeholders: point them at this host, as a user points
        // them at a carrier.
        await kubectl([
      'patch', 'siptrunk', 'carrier-a', '--type=json', '-p',
      JSON.stringify([
        { op: 'replace', path: '/spec/gateways/0/host', value: NODE_IP },
        { op: 'replace', path: '/spec/gateways/0/port', value: primaryPort },
        { op: 'replace', path: '/spec/gateways/1/host', value: NODE_IP },
        { op: 'replace', path: '/spec/gateways/1/port', value: backupPort },
      ]),
    ]); // prettier-ignore
        await waitFor(
          async () => {
            const t = await jsonOf<{ status?: { gatewaysUp?: string } }>([
              'get',
              'siptrunk',
              'carrier-a',
            ]);
            return t.status?.gatewaysUp === '2/2';
          },
          { timeoutMs: 30_000, message: 'both gateways up' },
        );
        const [pod] = await mediaPods();
        assert.ok(pod?.status.podIP);
        const control = `http://${pod.status.podIP}:8080`;
        const placed = await fetch(`${control}/calls`, {
          method: 'POST',
          body: JSON.stringify({ to: '+15550001111' }),
          signal: AbortSignal.timeout(10_000),
        });
        assert.equal(placed.status, 202, await placed.clone().text());
        const { callId } = (await placed.json()) as { callId: string };
        const call = await waitFor(
          async () => {
            const view = (await (await fetch(`${control}/calls/${callId}`)).json()) as {
              state: string;
              result?: string;
              sipStatus?: number;
            };
            return view.state === 'answered' || view.state === 'ended' ? view : undefined;
          },
          { timeoutMs: 30_000, message: `outbound call ${callId} answered` },
        );
        assert.equal(
          call.state,
          'answered',
          `${JSON.stringify(call)}\nprimary:\n${messages(primaryPort).slice(-2000)}\nbackup:\n${messages(backupPort).slice(-2000)}`,
        );
        assert.match(messages(primaryPort), /SIP\/2\.0 503 Service Unavailable/, 'primary: 503');
        const backup = messages(backupPort);
        assert.match(backup, /SIP\/2\.0 401 Unauthorized/, 'the backup challenged');
        assert.match(backup, /Authorization: Digest username="bayview"/, 'the edge answered it');
        assert.match(backup, /SIP\/2\.0 200 OK/, 'and the backup took the call');
      } finally {
        for (const g of gateways) g.kill('SIGKILL');
        rmSync(logs, { recursive: true, force: true });
      }
    });

    test('helm test places a test call through the installed fleet', async () => {
      const out = await helm(['test', RELEASE, '-n', NS, '--timeout', '3m']);
      assert.match(out, /Phase:\s+Succeeded/);
    });

    test('helm upgrade with a changed value keeps routing and drops no established call', async () => {
      const during = call([
        { say: 'i would like to book an appointment' },
        { say: 'saturday' },
        { say: 'at ten' },
      ]);
      await new Promise((r) => setTimeout(r, 2_000));
      await helm([
      'upgrade', RELEASE, join(root, 'charts/voicefleet'), '-n', NS, '--reuse-values',
      '--set', 'operator.logLevel=debug', '--wait', '--timeout', '4m',
    ]).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${await diagnostics()}`);
    }); // prettier-ignore
      const r = await during;
      assert.ok(
        r.answered && r.turns.every((t) => t.mouthToEarMs !== undefined),
        'the call went on',
      );
      assert.equal(r.endedBy, 'you');
      const after = await call([{ say: 'what time do you open on saturday' }]);
      assert.ok(after.answered && after.greetingHeard, 'a new call after the upgrade');
    });

    test('helm uninstall leaves only what the chart documents: the CRDs and the custom resources', async () => {
      await kubectl(['delete', '-f', join(root, 'crds/examples/'), '--wait=false']).catch(() => '');
      await helm(['uninstall', RELEASE, '-n', NS, '--wait', '--timeout', '3m']);
      // The pods go with their ReplicaSets, after their grace period.
      await kubectl(['wait', '--for=delete', 'pods', '--all', '-n', NS, '--timeout=120s']);
      const left = await kubectl([
      'get', 'all,configmaps,secrets,serviceaccounts,roles,rolebindings,networkpolicies,poddisruptionbudgets,leases',
      '-n', NS, '-o', 'name',
    ]); // prettier-ignore
      // What the namespace keeps (docs/chart.md): its own defaults, and what the operator wrote
      // at run time: the leader-election Lease and the edge's set-id table.
      const documented = [
        'configmap/kube-root-ca.crt',
        'configmap/voicefleet-edge-sets',
        'lease.coordination.k8s.io/voicefleet-operator',
        'serviceaccount/default',
      ];
      const unexpected = left
        .split('\n')
        .filter(Boolean)
        .filter((n) => !documented.includes(n));
      assert.deepEqual(unexpected, [], `left behind: ${unexpected.join(', ')}`);
      const cluster_ = await kubectl(['get', 'clusterroles,clusterrolebindings', '-o', 'name']);
      assert.doesNotMatch(cluster_, /voicefleet/);
      const crds = await kubectl(['get', 'crd', '-o', 'name']);
      assert.match(crds, /voiceagents\.voicefleet\.io/);
      // The media pools' NetworkPolicies went with their VoiceAgents (garbage collection).
      await waitFor(
        async () =>
          (await kubectl(['-n', 'default', 'get', 'networkpolicies', '-o', 'name'])) === '',
        { timeoutMs: 60_000, message: 'no NetworkPolicy left in default' },
      );
    });
  },
);
