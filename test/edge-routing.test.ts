// The edge with a real Kamailio and real sipp on loopback, programmed directly by EdgeWriter from
// desiredRoutingState (no API server): inbound and outbound routing, failover, ACL, the control port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import {
  EdgeSyncLoop,
  EdgeWriter,
  KamailioRpcClient,
  desiredRoutingState,
  type EndpointSliceLike,
  type TrunkCredentials,
} from '../operator/src/edge/index.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import { edgeAgent, edgeSlices, edgeTrunk } from './harness/kamailio-fixtures.js';
import {
  startKamailioPeer,
  type KamailioPeer,
  type PeerBehaviour,
} from './harness/kamailio-peer.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';
import { sampleValue } from './harness/prom-text.js';
import { runSippLoad, sippMissing, startSippUas, type SippUas } from './harness/sipp.js';

const missing = !kamailioAvailable() || sippMissing() !== undefined;
if (missing && process.env['CI'] === 'true')
  throw new Error('kamailio and sipp are required in CI');
const skip = missing ? 'kamailio or sipp not installed' : false;

describe('edge routing through a real Kamailio', { skip, timeout: 180_000 }, () => {
  let kam: KamailioInstance;
  let writer: EdgeWriter;
  const stops: Array<() => Promise<unknown>> = [];
  let state: {
    agents: VoiceAgent[];
    trunks: SipTrunk[];
    slices: EndpointSliceLike[];
    drain: Set<string>;
    creds: Map<string, TrunkCredentials>;
  };
  let setIds = new Map<string, number>();
  let media: SippUas[] = [];
  let mediaPorts: number[] = [];
  let callerPort = 0;
  let outboundPort = 0;
  let gateways: KamailioPeer[] = [];
  let probed: KamailioPeer;

  async function publish(): Promise<void> {
    const desired = desiredRoutingState({
      agents: state.agents,
      trunks: state.trunks,
      endpointSlices: state.slices,
      drainMarks: state.drain,
      credentials: state.creds,
      region: { region: 'local', peerEdges: [] },
      setIds,
    });
    setIds = desired.setIds.assignment;
    await writer.sync(desired.state);
  }

  const target = (): string => `127.0.0.1:${kam.sipPort}`;
  const mediaUp = async (ports: number[]): Promise<void> => {
    const uris = ports.map((p) => `sip:127.0.0.1:${p}`);
    let last = '';
    await waitFor(
      async () => {
        const health = await writer.health();
        last = JSON.stringify(health.map((h) => `${h.uri} ${h.flag}`));
        return health.filter((h) => uris.includes(h.uri) && h.flag === 'A').length === uris.length;
      },
      { timeoutMs: 5000, message: 'media nodes up' },
    ).catch((e: unknown) => {
      throw new Error(`media nodes not up: ${last}`, { cause: e });
    });
  };
  type Series = [name: string, labels: Record<string, string>];
  const trunkGw = (trunk: string, gateway: string) => ({ namespace: 'default', trunk, gateway });
  const trunkCode = (trunk: string, code: string) => ({ namespace: 'default', trunk, code });
  /** How far each of the edge's `voicefleet_edge_<name>` series moved while `act` ran. */
  async function counted(series: Series[], act: () => Promise<unknown>): Promise<number[]> {
    const read = async (): Promise<number[]> => {
      const text = await (await fetch(`http://127.0.0.1:${kam.controlPort}/metrics`)).text();
      return series.map(
        ([name, labels]) => sampleValue(text, `voicefleet_edge_${name}`, labels) ?? 0,
      );
    };
    const before = await read();
    await act();
    return (await read()).map((v, i) => v - (before[i] ?? 0));
  }

  // Only carrier-in trusts the callers' 127.0.0.1: an inbound call is counted for its source trunk.
  const OTHER_CIDRS = ['127.0.9.0/24'];

  before(async () => {
    kam = await startKamailio();
    stops.push(() => kam.stop());
    writer = new EdgeWriter(
      new KamailioRpcClient({ name: 'test', rpcUrl: kam.rpcUrl, token: kam.token }),
    );
    const ports = await freePorts(8);
    mediaPorts = [ports[0] ?? 0, ports[1] ?? 0];
    callerPort = ports[2] ?? 0;
    outboundPort = ports[3] ?? 0;
    media = await Promise.all(mediaPorts.map((p) => startSippUas(p)));
    for (const m of media) stops.push(() => m.stop());
    const [a1 = 0, a2 = 0, b1 = 0] = ports.slice(4);
    gateways = await Promise.all(
      [a1, a2, b1].map((p) => startKamailioPeer(p, { kind: 'answer', code: 200 })),
    );
    for (const g of gateways) stops.push(() => g.close());
    probed = await startKamailioPeer(ports[7] ?? 0, { kind: 'answer', code: 200 });
    stops.push(() => probed.close());
    state = {
      agents: [
        edgeAgent('front-desk', ['+14155550100'], []),
        edgeAgent('dialer', ['+14155550111'], ['carrier-a', 'carrier-b']),
      ],
      trunks: [
        edgeTrunk('carrier-in', [{ name: 'in', port: callerPort }], {
          sourceCidrs: ['127.0.0.1/32'],
        }),
        edgeTrunk(
          'carrier-a',
          [
            { name: 'a1', port: a1, priority: 1 },
            { name: 'a2', port: a2, priority: 2 },
          ],
          { secret: 'carrier-a-credentials', sourceCidrs: OTHER_CIDRS },
        ),
        edgeTrunk('carrier-b', [{ name: 'b1', port: b1 }], { sourceCidrs: OTHER_CIDRS }),
        edgeTrunk('carrier-probed', [{ name: 'p1', port: probed.port }], {
          sourceCidrs: OTHER_CIDRS,
          healthCheck: { intervalSeconds: 2, failureThreshold: 2, successThreshold: 3 },
        }),
      ],
      slices: [],
      drain: new Set(),
      creds: new Map([['default/carrier-a', { username: 'alice', password: 'wonderland' }]]),
    };
    state.slices = [
      ...edgeSlices(
        'front-desk',
        mediaPorts.map((port, i) => ({ name: `pod-${i}`, port })),
      ),
      ...edgeSlices('dialer', [{ name: 'dialer-0', port: outboundPort }]),
    ];
    await publish();
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('routes a call to the agent number onto a media node, in +, 00 and plain forms', async () => {
    await mediaUp(mediaPorts);
    const moved = await counted(
      [
        ['agent_calls_total', { namespace: 'default', agent: 'front-desk', code: '200' }],
        ['trunk_inbound_calls_total', trunkCode('carrier-in', '200')],
      ],
      async () => {
        for (const number of ['+14155550100', '0014155550100', '14155550100']) {
          const r = await runSippLoad({
            target: target(),
            number,
            calls: 3,
            rate: 10,
            localPort: callerPort,
          });
          assert.equal(r.successful, 3, `calls to ${number}`);
        }
      },
    );
    assert.deepEqual(moved, [9, 9], 'answered calls per agent and per source trunk');
  });

  it('answers 404 for a number no agent owns', async () => {
    const moved = await counted(
      [['trunk_inbound_calls_total', trunkCode('carrier-in', '404')]],
      async () => {
        const r = await runSippLoad({
          target: target(),
          number: '+19998887777',
          calls: 1,
          rate: 1,
          localPort: callerPort,
          scenario: 'edge-uac-reject.xml',
          keys: { expect: '404' },
        });
        assert.equal(r.successful, 1);
      },
    );
    assert.deepEqual(moved, [1]);
  });

  it('answers 403 to a source in no trunk ACL', async () => {
    const r = await runSippLoad({
      target: target(),
      number: '+14155550100',
      calls: 1,
      rate: 1,
      localIp: '127.0.0.2',
      localPort: callerPort,
      scenario: 'edge-uac-reject.xml',
      keys: { expect: '403' },
    });
    assert.equal(r.successful, 1);
  });

  it('refuses JSON-RPC without the token and HTTP on the SIP port', async () => {
    const body = '{"jsonrpc":"2.0","method":"dispatcher.list","id":1}';
    const noToken = await fetch(kam.rpcUrl, { method: 'POST', body });
    assert.equal(noToken.status, 403);
    const wrong = await fetch(kam.rpcUrl, {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 403);
    const sipPort = await fetch(`http://127.0.0.1:${kam.sipPort}/RPC`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${kam.token}` },
    });
    assert.equal(sipPort.status, 403);
    const metrics = await fetch(`http://127.0.0.1:${kam.controlPort}/metrics`);
    assert.match(
      await metrics.text(),
      /voicefleet_edge_calls_total\{route="inbound", result="200"\}/,
    );
  });

  const setGateways = (...behaviours: PeerBehaviour[]): void => {
    gateways.forEach((g, i) => {
      g.behaviour = behaviours[i] ?? { kind: 'answer', code: 200 };
      g.invites.length = 0;
    });
  };
  // A media node's outbound calls go to the edge's internal port (docs/edge.md).
  const dial = (
    expect?: string,
    to = `127.0.0.1:${kam.internalSipPort}`,
  ): Promise<{ successful: number }> =>
    runSippLoad({
      target: to,
      number: '+442071234567',
      calls: 1,
      rate: 1,
      localPort: outboundPort,
      ...(expect !== undefined ? { scenario: 'edge-uac-reject.xml', keys: { expect } } : {}),
    });
  const invites = (): number[] => gateways.map((g) => g.invites.length);

  it('sends an outbound call to the next gateway when the primary answers 503', async () => {
    const gatewayUris = gateways.map((g) => `sip:127.0.0.1:${g.port}`);
    await waitFor(
      async () =>
        (await writer.health()).filter((h) => gatewayUris.includes(h.uri) && h.flag === 'A')
          .length === 3,
      { timeoutMs: 5000, message: 'gateways up' },
    );
    setGateways({ kind: 'answer', code: 503 });
    const moved = await counted(
      [
        ['trunk_attempts_total', trunkGw('carrier-a', 'a1')],
        ['trunk_attempts_total', trunkGw('carrier-a', 'a2')],
        ['trunk_failovers_total', trunkGw('carrier-a', 'a1')],
        ['trunk_failovers_total', trunkGw('carrier-a', 'a2')],
        ['trunk_answers_total', trunkGw('carrier-a', 'a1')],
        ['trunk_answers_total', trunkGw('carrier-a', 'a2')],
        ['trunk_outbound_calls_total', trunkCode('carrier-a', '200')],
        ['trunk_outbound_calls_total', trunkCode('carrier-a', '503')],
      ],
      async () => assert.equal((await dial()).successful, 1),
    );
    assert.deepEqual(invites(), [1, 1, 0]);
    // a1 tried and failed over, a2 tried and answered; the call ended once, answered.
    assert.deepEqual(moved, [1, 1, 1, 0, 0, 1, 1, 0]);
  });

  // Which door a request came through decides whether it is a media node's outbound call: on
  // the public port the media node's own address and port count for nothing (in a cluster,
  // conntrack may have rewritten that port), so the call is never routed to a carrier from there.
  it("routes no media node's INVITE to a carrier when it comes to the public port", async () => {
    setGateways();
    // From 127.0.0.1 (in carrier-in's ACL) it is an inbound call to a number no agent owns.
    await dial('404', target());
    assert.deepEqual(invites(), [0, 0, 0]);
  });

  it('refuses an INVITE on the internal port from an address that is no media node: 403', async () => {
    setGateways();
    const stranger = await runSippLoad({
      target: `127.0.0.1:${kam.internalSipPort}`,
      number: '+442071234567',
      calls: 1,
      rate: 1,
      localPort: callerPort,
      scenario: 'edge-uac-reject.xml',
      keys: { expect: '403' },
    });
    assert.equal(stranger.successful, 1);
    assert.deepEqual(invites(), [0, 0, 0]);
  });

  it('moves to the next trunk when every gateway of the first answers 503', async () => {
    setGateways({ kind: 'answer', code: 503 }, { kind: 'answer', code: 503 });
    const moved = await counted(
      [
        ['trunk_failovers_total', trunkGw('carrier-a', 'a1')],
        ['trunk_failovers_total', trunkGw('carrier-a', 'a2')],
        ['trunk_attempts_total', trunkGw('carrier-b', 'b1')],
        ['trunk_answers_total', trunkGw('carrier-b', 'b1')],
        ['trunk_outbound_calls_total', trunkCode('carrier-a', '503')],
        ['trunk_outbound_calls_total', trunkCode('carrier-b', '200')],
      ],
      async () => assert.equal((await dial()).successful, 1),
    );
    assert.deepEqual(invites(), [1, 1, 1]);
    assert.deepEqual(moved, [1, 1, 1, 1, 0, 1]);
  });

  for (const code of [486, 603]) {
    it(`passes ${code} back to the caller without trying another gateway`, async () => {
      setGateways({ kind: 'answer', code });
      const moved = await counted(
        [
          ['trunk_outbound_calls_total', trunkCode('carrier-a', String(code))],
          ['trunk_failovers_total', trunkGw('carrier-a', 'a1')],
        ],
        async () => assert.equal((await dial(String(code))).successful, 1),
      );
      assert.deepEqual(invites(), [1, 0, 0]);
      assert.deepEqual(moved, [1, 0], `${code} is the call's final answer, no failover`);
    });
  }

  it("answers a carrier's digest challenge with the trunk's credentials", async () => {
    setGateways({ kind: 'answer', code: 200, challenge: { realm: 'carrier.example' } });
    const moved = await counted(
      [
        ['trunk_attempts_total', trunkGw('carrier-a', 'a1')],
        ['trunk_answers_total', trunkGw('carrier-a', 'a1')],
        ['trunk_outbound_calls_total', trunkCode('carrier-a', '401')],
      ],
      async () => assert.equal((await dial()).successful, 1),
    );
    // The challenge answered is one attempt, not a failure.
    assert.deepEqual(moved, [1, 1, 0]);
    assert.equal(gateways[0]?.invites.length, 2);
    assert.match(
      gateways[0]?.invites[1]?.authorization ?? '',
      /username="alice".*realm="carrier.example"/,
    );
  });

  it('reports a gateway that stops answering as down within 3 s and up again after it returns', async () => {
    setGateways();
    const gw = gateways[0];
    assert.ok(gw);
    const uri = `sip:127.0.0.1:${gw.port}`;
    gw.behaviour = { kind: 'silent' };
    const stopped = Date.now();
    await waitFor(async () => (await writer.health()).find((h) => h.uri === uri)?.flag === 'I', {
      timeoutMs: 3000,
      intervalMs: 100,
      message: 'gateway down',
    });
    assert.ok(Date.now() - stopped <= 3000);
    const gatewayUp = async (): Promise<number | undefined> =>
      sampleValue(
        await (await fetch(`http://127.0.0.1:${kam.controlPort}/metrics`)).text(),
        'voicefleet_edge_gateway_up',
        trunkGw('carrier-a', 'a1'),
      );
    assert.equal(await gatewayUp(), 0, 'gateway_up reads 0 once the gateway is down');
    gw.behaviour = { kind: 'answer', code: 200 };
    await waitFor(async () => (await writer.health()).find((h) => h.uri === uri)?.flag === 'A', {
      timeoutMs: 3000,
      intervalMs: 100,
      message: 'gateway up',
    });
    await waitFor(async () => (await gatewayUp()) === 1, {
      timeoutMs: 3000,
      message: 'gateway_up back at 1',
    });
  });

  it("probes a trunk's gateways on its healthCheck: every 2 s, Down after 2 failures, Up after 3 answers", async () => {
    const uri = `sip:127.0.0.1:${probed.port}`;
    const flag = async (): Promise<string | undefined> =>
      (await writer.health()).find((h) => h.uri === uri)?.flag;
    const probesAfter = async (n: number): Promise<void> => {
      await waitFor(() => probed.options.length >= n, {
        timeoutMs: 3000,
        intervalMs: 20,
        message: `probe ${n}`,
      });
    };
    await waitFor(async () => (await flag()) === 'A', { timeoutMs: 5000, message: 'probed up' });

    const since = Date.now();
    const fastGateway = gateways[2];
    assert.ok(fastGateway);
    const fastBefore = fastGateway.options.length;
    const slowBefore = probed.options.length;
    await sleep(6500);
    const slow = probed.options.length - slowBefore;
    const fast = fastGateway.options.length - fastBefore;
    assert.ok(slow >= 3 && slow <= 4, `probes in 6.5 s at 2 s: ${slow}`);
    assert.ok(fast >= 6, `probes in 6.5 s at the default 1 s: ${fast}`);
    const times = probed.options.filter((t) => t >= since);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    for (const gap of gaps) assert.ok(gap > 1500 && gap < 2500, `gap between probes ${gap} ms`);

    // Failure threshold 2: one unanswered probe (500 ms timeout) leaves it Up, the second takes it Down.
    probed.behaviour = { kind: 'silent' };
    const silentFrom = probed.options.length;
    await probesAfter(silentFrom + 1);
    await sleep(900);
    assert.equal(await flag(), 'A', 'Up after one failed probe of two');
    await probesAfter(silentFrom + 2);
    await waitFor(async () => (await flag()) === 'I', {
      timeoutMs: 1500,
      intervalMs: 50,
      message: 'Down after the second failed probe',
    });

    // Success threshold 3: two answers leave it Down, the third brings it Up.
    probed.behaviour = { kind: 'answer', code: 200 };
    const answeringFrom = probed.options.length;
    for (const n of [1, 2]) {
      await probesAfter(answeringFrom + n);
      await sleep(400);
      assert.equal(await flag(), 'I', `Down after ${n} answered probes of 3`);
    }
    await probesAfter(answeringFrom + 3);
    await waitFor(async () => (await flag()) === 'A', {
      timeoutMs: 1000,
      intervalMs: 50,
      message: 'Up after the third answered probe',
    });
  });

  it('fails no new call setup while a media node dies, and sends it no INVITE after the detection bound', async () => {
    await mediaUp(mediaPorts);
    const victim = media[1];
    assert.ok(victim);
    const calls = runSippLoad({
      target: target(),
      number: '+14155550100',
      calls: 80,
      rate: 20,
      holdMs: 200,
      localPort: callerPort,
      scenario: 'edge-uac-setup.xml',
    });
    await sleep(1000);
    await victim.stop();
    const killedAt = Date.now();
    // The dead node's port now swallows everything and records what still arrives.
    const hung = await startKamailioPeer(victim.port, { kind: 'silent' });
    const result = await calls;
    await hung.close();
    assert.equal(result.failed, 0, result.errors.join(' | '));
    assert.equal(result.successful, 80);
    const late = hung.invites.filter((i) => i.at > killedAt + 2000);
    assert.equal(
      late.length,
      0,
      `INVITEs to the dead node more than 2 s after the kill: ${late.length}`,
    );
    const restarted = await startSippUas(victim.port);
    media[1] = restarted;
    stops.push(() => restarted.stop());
    await mediaUp(mediaPorts);
  });

  it('drains a media node: its calls finish, it gets no new ones, its call load falls to 0', async () => {
    const [drainPort = 0] = await freePorts(1);
    const node = await startKamailioPeer(drainPort, { kind: 'answer', code: 200 });
    stops.push(() => node.close());
    state.slices.push(...edgeSlices('front-desk', [{ name: 'pod-drain', port: drainPort }]));
    await publish();
    await mediaUp([...mediaPorts, drainPort]);
    const calls = runSippLoad({
      target: target(),
      number: '+14155550100',
      calls: 40,
      rate: 10,
      holdMs: 1500,
      localPort: callerPort,
    });
    await sleep(1200);
    const before = node.invites.length;
    state.drain.add('default/pod-drain');
    await publish();
    const markedAt = Date.now();
    const result = await calls;
    assert.equal(result.failed, 0, `dropped or failed calls: ${result.errors.join(' | ')}`);
    assert.equal(result.successful, 40);
    assert.ok(before > 0, 'the node took calls before the drain');
    assert.equal(node.invites.filter((i) => i.at > markedAt).length, 0);
    const uri = `sip:127.0.0.1:${drainPort}`;
    const h = (await writer.health()).find((x) => x.uri === uri);
    assert.equal(h?.flag, 'D');
    assert.equal(h?.load, 0);
  });

  it('restores routing within 5 s after Kamailio restarts', async () => {
    const controller = new AbortController();
    const loop = new EdgeSyncLoop({
      writers: [writer],
      intervalMs: 500,
      signal: controller.signal,
      desired: () =>
        desiredRoutingState({
          agents: state.agents,
          trunks: state.trunks,
          endpointSlices: state.slices,
          drainMarks: state.drain,
          credentials: state.creds,
          region: { region: 'local', peerEdges: [] },
          setIds,
        }).state,
    });
    try {
      await kam.restart();
      const restartedAt = Date.now();
      await waitFor(
        async () =>
          (
            await runSippLoad({
              target: target(),
              number: '+14155550100',
              calls: 1,
              rate: 1,
              localPort: callerPort,
              timeoutSeconds: 3,
            })
          ).successful === 1,
        { timeoutMs: 5000, intervalMs: 100, message: 'a call through the restarted edge' },
      );
      assert.ok(Date.now() - restartedAt <= 5000);
    } finally {
      controller.abort();
      await loop.done;
    }
  });
});
