// The edge sync in the operator against a real API server: VoiceAgent, SipTrunk and
// EndpointSlices (loopback addresses) program a real Kamailio; a sipp call to the agent's number
// lands on a media node; gateway health shows in SipTrunk status; readiness changes and drain
// marks reach Kamailio; restarting the edge sync leaves calls alone.
import { hasCondition, expectCondition } from '@voicefleet/api/testing';
import { CoreV1Api, DiscoveryV1Api, type KubernetesObject } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EdgeWriter, KamailioRpcClient } from '../operator/src/edge/index.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import { edgeAgent, edgeSlices, edgeTrunk } from './harness/kamailio-fixtures.js';
import { startKamailioPeer, type KamailioPeer } from './harness/kamailio-peer.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';
import { runSippLoad, sippMissing, startSippUas } from './harness/sipp.js';
import {
  customObjects,
  installCrds,
  runManager,
  type InProcessManager,
} from './operator-helpers.js';

const missing = !kamailioAvailable() || sippMissing() !== undefined;
if (missing && process.env['CI'] === 'true')
  throw new Error('kamailio and sipp are required in CI');
const skip = controlPlaneSkipReason() || (missing ? 'kamailio or sipp not installed' : false);

// The API server refuses loopback endpoint addresses: the slices carry a documentation address
// (never contacted) that the edge sync maps to loopback, where the sipp media nodes listen.
const POD_IP = '192.0.2.10';

describe('edge sync on a real API server', { skip, timeout: 240_000 }, () => {
  let plane: ControlPlane;
  let kam: KamailioInstance;
  let gateway: KamailioPeer;
  let sync: InProcessManager | undefined;
  let reader: EdgeWriter;
  let cr: ReturnType<typeof customObjects>;
  let discovery: DiscoveryV1Api;
  let core: CoreV1Api;
  const stops: Array<() => Promise<unknown>> = [];
  let mediaPorts: number[] = [];
  let callerPort = 0;

  const startSync = (): void => {
    sync = runManager(plane.kubeConfig, {
      regions: ['local'],
      edge: {
        kamailio: [{ name: 'edge-0', rpcUrl: kam.rpcUrl, token: kam.token, region: 'local' }],
        discover: undefined,
        peerEdges: [],
        setIdsConfigMap: { namespace: 'default', name: 'voicefleet-edge-sets' },
        addressMap: new Map([[POD_IP, '127.0.0.1']]),
      },
    });
  };
  const stopSync = async (): Promise<void> => {
    await sync?.stop();
    sync = undefined;
  };
  const uriOf = (port: number): string => `sip:127.0.0.1:${port}`;
  const flagOf = async (port: number): Promise<string | undefined> =>
    (await reader.health()).find((h) => h.uri === uriOf(port))?.flag;
  const call = (calls = 1, rate = 1) =>
    runSippLoad({
      target: `127.0.0.1:${kam.sipPort}`,
      number: '+14155550100',
      calls,
      rate,
      localPort: callerPort,
      holdMs: 300,
    });

  before(async () => {
    plane = await startControlPlane({ controllerManager: false });
    stops.push(() => plane.stop());
    await installCrds(plane.kubeConfig);
    cr = customObjects(plane.kubeConfig);
    discovery = plane.kubeConfig.makeApiClient(DiscoveryV1Api);
    core = plane.kubeConfig.makeApiClient(CoreV1Api);
    kam = await startKamailio();
    stops.push(() => kam.stop());
    reader = new EdgeWriter(
      new KamailioRpcClient({ name: 'reader', rpcUrl: kam.rpcUrl, token: kam.token }),
    );
    const ports = await freePorts(4);
    mediaPorts = ports.slice(0, 2);
    callerPort = ports[2] ?? 0;
    for (const port of mediaPorts) {
      const uas = await startSippUas(port);
      stops.push(() => uas.stop());
    }
    gateway = await startKamailioPeer(ports[3] ?? 0, { kind: 'answer', code: 200 });
    stops.push(() => gateway.close());

    const strip = <T extends KubernetesObject>(o: T): T => ({
      ...o,
      metadata: { name: o.metadata?.name, namespace: 'default' },
    });
    await cr.create(
      'siptrunks',
      strip(
        edgeTrunk('carrier', [{ name: 'primary', port: gateway.port }], {
          sourceCidrs: ['127.0.0.1/32'],
        }),
      ),
    );
    await cr.create('voiceagents', strip(edgeAgent('front-desk', ['+14155550100'], ['carrier'])));
    for (const slice of edgeSlices(
      'front-desk',
      mediaPorts.map((port, i) => ({ name: `pod-${i}`, port, ip: POD_IP })),
    )) {
      await discovery.createNamespacedEndpointSlice({
        namespace: 'default',
        body: { ...slice, addressType: 'IPv4' },
      });
    }
    startSync();
  });

  after(async () => {
    await stopSync();
    for (const stop of stops.reverse()) await stop();
  });

  it('programs Kamailio from the resources so that a call to the number lands on a media node', async () => {
    await waitFor(
      async () =>
        (await flagOf(mediaPorts[0] ?? 0)) === 'A' && (await flagOf(mediaPorts[1] ?? 0)) === 'A',
      { timeoutMs: 15_000, message: 'media nodes in Kamailio' },
    );
    const r = await call(4, 4);
    assert.equal(r.successful, 4);
    const agent = await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'front-desk');
        return hasCondition(a, 'RoutingPublished', { status: 'True' }) ? a : undefined;
      },
      { timeoutMs: 10_000, message: 'RoutingPublished' },
    );
    expectCondition(agent, 'RoutingPublished', {
      status: 'True',
      message: /1 numbers routed to 2 media pods/,
    });
  });

  it('shows a gateway that stops answering as Down in the SipTrunk status within 3 s, and Up after', async () => {
    const gatewayState = async (): Promise<string | undefined> => {
      const t = (await cr.get('siptrunks', 'carrier')) as {
        status?: { gateways?: Array<{ name: string; state: string }> };
      };
      return t.status?.gateways?.find((g) => g.name === 'primary')?.state;
    };
    await waitFor(async () => (await gatewayState()) === 'Up', {
      timeoutMs: 10_000,
      message: 'gateway Up',
    });
    gateway.behaviour = { kind: 'silent' };
    const stoppedAt = Date.now();
    await waitFor(async () => (await gatewayState()) === 'Down', {
      timeoutMs: 3000,
      intervalMs: 100,
      message: 'gateway Down',
    });
    assert.ok(Date.now() - stoppedAt <= 3000);
    gateway.behaviour = { kind: 'answer', code: 200 };
    await waitFor(async () => (await gatewayState()) === 'Up', {
      timeoutMs: 3000,
      intervalMs: 100,
      message: 'gateway Up again',
    });
    const events = await core.listNamespacedEvent({ namespace: 'default' });
    assert.ok(
      events.items.some((e) => e.reason === 'GatewayDown' && e.involvedObject.name === 'carrier'),
    );
  });

  it('disables a media node whose endpoint turns unready and enables it when ready again', async () => {
    const port = mediaPorts[1] ?? 0;
    const name = `front-desk-local-pod-1`;
    const setReady = async (ready: boolean): Promise<void> => {
      const [slice] = edgeSlices('front-desk', [{ name: 'pod-1', port, ready, ip: POD_IP }]);
      const live = await discovery.readNamespacedEndpointSlice({ name, namespace: 'default' });
      await discovery.replaceNamespacedEndpointSlice({
        name,
        namespace: 'default',
        body: { ...live, endpoints: slice?.endpoints ?? [] },
      });
    };
    await setReady(false);
    await waitFor(async () => (await flagOf(port)) === 'D', {
      timeoutMs: 5000,
      message: 'disabled',
    });
    await setReady(true);
    await waitFor(async () => (await flagOf(port)) === 'A', {
      timeoutMs: 5000,
      message: 'enabled',
    });
  });

  it('disables a media pod annotated as draining', async () => {
    // No controller manager here: the namespace's default ServiceAccount must be created by hand.
    await core
      .createNamespacedServiceAccount({
        namespace: 'default',
        body: { metadata: { name: 'default' } },
      })
      .catch(() => undefined);
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: {
          name: 'pod-0',
          labels: { 'app.kubernetes.io/name': 'voicefleet-media-node' },
          annotations: { 'voicefleet.io/draining': 'true' },
        },
        spec: { containers: [{ name: 'media-node', image: 'media-node' }] },
      },
    });
    await waitFor(async () => (await flagOf(mediaPorts[0] ?? 0)) === 'D', {
      timeoutMs: 5000,
      message: 'drained pod disabled',
    });
    await core.deleteNamespacedPod({ name: 'pod-0', namespace: 'default', gracePeriodSeconds: 0 });
    await waitFor(async () => (await flagOf(mediaPorts[0] ?? 0)) === 'A', {
      timeoutMs: 5000,
      message: 'pod enabled again',
    });
  });

  it('restarts the edge sync under steady calls without failing any and keeps the set ids', async () => {
    const idsBefore = (await reader.read()).sets;
    const calls = call(30, 10);
    await sleep(1000);
    await stopSync();
    startSync();
    const r = await calls;
    assert.equal(r.failed, 0, r.errors.join(' | '));
    assert.equal(r.successful, 30);
    await sleep(1500);
    const idsAfter = (await reader.read()).sets;
    assert.deepEqual([...idsAfter.keys()].sort(), [...idsBefore.keys()].sort());
    const cm = await core.readNamespacedConfigMap({
      name: 'voicefleet-edge-sets',
      namespace: 'default',
    });
    assert.match(cm.data?.['setIds'] ?? '', /pool\/default\/front-desk\/local/);
  });
});
