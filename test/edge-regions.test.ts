// An operator that owns two regions programs both regions' edges, each with its own region's
// media pool (and the shared trunk), from one set-id assignment: a real API server, two real
// Kamailios, the manager in process. Before, only the first region's edge was programmed.
import { DiscoveryV1Api } from '@kubernetes/client-node';
import { voiceAgentManifest } from '@voicefleet/api/testing';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EdgeWriter, KamailioRpcClient } from '../operator/src/edge/index.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { edgeSlices, edgeTrunk } from './harness/kamailio-fixtures.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';
import {
  customObjects,
  installCrds,
  runManager,
  type InProcessManager,
} from './operator-helpers.js';

if (!kamailioAvailable() && process.env['CI'] === 'true')
  throw new Error('kamailio is required in CI');
const skip = controlPlaneSkipReason() || (kamailioAvailable() ? false : 'kamailio not installed');

// Documentation addresses (the API server refuses loopback endpoints), mapped to loopback.
const US_POD = '192.0.2.21';
const EU_POD = '192.0.2.22';

describe('edge sync for an operator owning two regions', { skip, timeout: 120_000 }, () => {
  let plane: ControlPlane;
  const kams = new Map<string, KamailioInstance>();
  let manager: InProcessManager | undefined;
  // Where the pods and the gateway would listen (Kamailio only probes them).
  let usPort = 0;
  let euPort = 0;
  let gatewayPort = 0;

  const reader = (region: string): EdgeWriter => {
    const kam = kams.get(region)!;
    return new EdgeWriter(
      new KamailioRpcClient({ name: `read-${region}`, rpcUrl: kam.rpcUrl, token: kam.token }),
    );
  };
  /** Set id by destination URI, as the region's Kamailio holds it. */
  const setsByUri = async (region: string): Promise<Map<string, number>> => {
    const sets = (await reader(region).read()).sets.values();
    return new Map([...sets].flatMap((s) => s.destinations.map((d) => [d.uri, s.id] as const)));
  };

  before(async () => {
    plane = await startControlPlane({ controllerManager: false });
    await installCrds(plane.kubeConfig);
    [usPort = 0, euPort = 0, gatewayPort = 0] = await freePorts(3);
    for (const region of ['us-east-1', 'eu-west-1']) kams.set(region, await startKamailio());
    const cr = customObjects(plane.kubeConfig);
    const strip = <T extends { metadata?: object }>(o: T): T => ({
      ...o,
      metadata: { name: (o.metadata as { name: string }).name, namespace: 'default' },
    });
    await cr.create(
      'siptrunks',
      strip(edgeTrunk('carrier', [{ name: 'primary', port: gatewayPort }])),
    );
    await cr.create(
      'voiceagents',
      voiceAgentManifest('front-desk', {
        numbers: ['+14155550100'],
        trunks: ['carrier'],
        regions: ['us-east-1', 'eu-west-1'],
      }),
    );
    const discovery = plane.kubeConfig.makeApiClient(DiscoveryV1Api);
    const slices = [
      ...edgeSlices('front-desk', [{ name: 'us-0', port: usPort, ip: US_POD }], 'us-east-1'),
      ...edgeSlices('front-desk', [{ name: 'eu-0', port: euPort, ip: EU_POD }], 'eu-west-1'),
    ];
    for (const slice of slices) {
      await discovery.createNamespacedEndpointSlice({
        namespace: 'default',
        body: { ...slice, addressType: 'IPv4' },
      });
    }
    manager = runManager(plane.kubeConfig, {
      regions: ['us-east-1', 'eu-west-1'],
      edge: {
        kamailio: [...kams].map(([region, kam]) => ({
          name: `edge-${region}`,
          rpcUrl: kam.rpcUrl,
          token: kam.token,
          region,
        })),
        discover: undefined,
        peerEdges: [],
        setIdsConfigMap: { namespace: 'default', name: 'voicefleet-edge-sets' },
        addressMap: new Map([
          [US_POD, '127.0.0.1'],
          [EU_POD, '127.0.0.2'],
        ]),
      },
    });
  });

  after(async () => {
    await manager?.stop();
    for (const kam of kams.values()) await kam.stop();
    await plane?.stop();
  });

  it("gives each region's edge its own pool, and both the trunk under one set id", async () => {
    const us = await waitFor(
      async () => {
        const sets = await setsByUri('us-east-1');
        return sets.has(`sip:127.0.0.1:${usPort}`) ? sets : undefined;
      },
      { timeoutMs: 20_000, message: 'the us-east-1 edge programmed' },
    );
    const eu = await waitFor(
      async () => {
        const sets = await setsByUri('eu-west-1');
        return sets.has(`sip:127.0.0.2:${euPort}`) ? sets : undefined;
      },
      { timeoutMs: 20_000, message: 'the eu-west-1 edge programmed' },
    );
    const gateway = `sip:127.0.0.1:${gatewayPort}`;
    assert.deepEqual([...us.keys()].sort(), [`sip:127.0.0.1:${usPort}`, gateway].sort());
    assert.deepEqual([...eu.keys()].sort(), [`sip:127.0.0.2:${euPort}`, gateway].sort());
    assert.equal(us.get(gateway), eu.get(gateway), 'one trunk set id');
    assert.notEqual(us.get(`sip:127.0.0.1:${usPort}`), eu.get(`sip:127.0.0.2:${euPort}`));
  });
});
