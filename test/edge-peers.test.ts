// Region failover between two real Kamailio edges on loopback: a region whose pool is missing or
// answers 503 hands the call to the peer region's edge, which lands it on its own media node.
// Also: OPTIONS to the edge itself is answered 200.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import {
  EdgeWriter,
  KamailioRpcClient,
  desiredRoutingState,
  type EndpointSliceLike,
} from '../operator/src/edge/index.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import { edgeAgent, edgeSlices, edgeTrunk } from './harness/kamailio-fixtures.js';
import { startKamailioPeer, type KamailioPeer } from './harness/kamailio-peer.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';
import { runSippLoad, sippMissing, startSippUas } from './harness/sipp.js';

const missing = !kamailioAvailable() || sippMissing() !== undefined;
if (missing && process.env['CI'] === 'true')
  throw new Error('kamailio and sipp are required in CI');
const skip = missing ? 'kamailio or sipp not installed' : false;

describe('peer-region failover between two edges', { skip, timeout: 120_000 }, () => {
  let east: KamailioInstance;
  let west: KamailioInstance;
  let eastWriter: EdgeWriter;
  let eastNode: KamailioPeer;
  let westNodePort = 0;
  let callerPort = 0;
  const stops: Array<() => Promise<unknown>> = [];
  const agent = edgeAgent('front-desk', ['+14155550100']);
  agent.spec.regions = [
    { name: 'east', minReplicas: 1, maxReplicas: 2 },
    { name: 'west', minReplicas: 1, maxReplicas: 2 },
  ];

  const program = async (
    kam: KamailioInstance,
    region: string,
    peer: KamailioInstance,
    slices: EndpointSliceLike[],
  ): Promise<EdgeWriter> => {
    const writer = new EdgeWriter(
      new KamailioRpcClient({ name: region, rpcUrl: kam.rpcUrl, token: kam.token }),
    );
    const d = desiredRoutingState({
      agents: [agent],
      trunks: [
        edgeTrunk('carrier', [{ name: 'in', port: callerPort }], { sourceCidrs: ['127.0.0.1/32'] }),
      ],
      endpointSlices: slices,
      drainMarks: new Set(),
      credentials: new Map(),
      region: { region, peerEdges: [`127.0.0.1:${peer.sipPort}`] },
      setIds: new Map(),
    });
    await writer.sync(d.state);
    return writer;
  };

  before(async () => {
    [westNodePort = 0, callerPort = 0] = await freePorts(3);
    const [eastNodePort = 0] = await freePorts(1);
    east = await startKamailio({ region: 'east' });
    stops.push(() => east.stop());
    west = await startKamailio({ region: 'west' });
    stops.push(() => west.stop());
    const westNode = await startSippUas(westNodePort);
    stops.push(() => westNode.stop());
    eastNode = await startKamailioPeer(eastNodePort, { kind: 'answer', code: 503 });
    stops.push(() => eastNode.close());
    await program(
      west,
      'west',
      east,
      edgeSlices('front-desk', [{ name: 'w0', port: westNodePort }], 'west'),
    );
    eastWriter = await program(east, 'east', west, []);
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  const call = () =>
    runSippLoad({
      target: `127.0.0.1:${east.sipPort}`,
      number: '+14155550100',
      calls: 2,
      rate: 2,
      localPort: callerPort,
    });

  it('answers OPTIONS to the edge itself with 200', async () => {
    const socket = createSocket('udp4');
    const answer = new Promise<string>((resolve) =>
      socket.once('message', (m) => resolve(m.toString())),
    );
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const { port } = socket.address();
    const options = [
      `OPTIONS sip:127.0.0.1:${east.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-opt1`,
      'From: <sip:probe@127.0.0.1>;tag=a1',
      `To: <sip:127.0.0.1:${east.sipPort}>`,
      'Call-ID: options-1@127.0.0.1',
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(options, east.sipPort, '127.0.0.1');
    const reply = await answer;
    socket.close();
    assert.match(reply, /^SIP\/2\.0 200 /);
  });

  it('hands a call for an agent with no pool in this region to the peer edge', async () => {
    await waitFor(
      async () =>
        (await eastWriter.health()).some(
          (h) => h.uri === `sip:127.0.0.1:${west.sipPort}` && h.flag === 'A',
        ),
      { timeoutMs: 5000, message: 'peer edge up' },
    );
    assert.equal((await call()).successful, 2);
  });

  it('hands a call to the peer edge when every local media node answers 503', async () => {
    await program(
      east,
      'east',
      west,
      edgeSlices('front-desk', [{ name: 'e0', port: eastNode.port }], 'east'),
    );
    await waitFor(
      async () =>
        (await eastWriter.health()).some(
          (h) => h.uri === `sip:127.0.0.1:${eastNode.port}` && h.flag === 'A',
        ),
      { timeoutMs: 5000, message: 'east node up' },
    );
    eastNode.invites.length = 0;
    assert.equal((await call()).successful, 2);
    assert.equal(eastNode.invites.length, 2, 'the local node was tried first');
  });
});
