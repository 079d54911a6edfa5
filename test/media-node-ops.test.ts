/**
 * Operating one media-node process: capacity and OPTIONS answers, CANCEL before the answer,
 * metrics, and drain on SIGTERM / POST /drain (new calls refused with 503 + Retry-After, active
 * calls finish, exit 0; at the deadline the node hangs up the rest itself).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, waitFor } from '@voicefleet/devtools/processes';
import type { OutboundCallView } from '@voicefleet/media-node';
import {
  startKamailioPeer,
  type KamailioPeer,
  type PeerBehaviour,
} from './harness/kamailio-peer.js';
import { sippMissing, startSippUas } from './harness/sipp.js';
import { sampleValue } from './harness/prom-text.js';
import { TestCaller, loudness } from './media-node-caller.js';
import { httpRequest, startMediaNode, type RunningNode } from './media-node-process.js';

const nodes: RunningNode[] = [];
const callers: TestCaller[] = [];

async function caller(node: RunningNode): Promise<TestCaller> {
  const c = await TestCaller.create(node.sipPort);
  callers.push(c);
  return c;
}

interface Status {
  activeCalls: number;
  capacity: number;
  draining: boolean;
  accepting: boolean;
  inProgress: Record<string, number>;
}

async function status(node: RunningNode): Promise<Status> {
  return JSON.parse((await node.http('GET', '/status')).body) as Status;
}

/** One confirmed call and nothing else in progress (the caller's last ACK may still be on its way). */
const ONE_CALL = {
  calls: 1,
  settingUp: 0,
  answeredOnArrival: 0,
  dialogs: 1,
  serverTransactions: 0,
  clientTransactions: 0,
};

async function expectStatus(node: RunningNode, expected: Status): Promise<void> {
  const same = async () => JSON.stringify(await status(node)) === JSON.stringify(expected);
  await waitFor(same, { timeoutMs: 2000, message: 'status' }).catch(() => undefined);
  assert.deepEqual(await status(node), expected);
}

after(async () => {
  for (const c of callers) c.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('media node: operations', { timeout: 180_000 }, () => {
  it('refuses calls beyond capacity with 503 + Retry-After; OPTIONS says 503 while full', async () => {
    const node = await startMediaNode(
      { capacity: { maxCalls: 1 } },
      { VOICEFLEET_ANSWER_DELAY_MS: '200' },
    );
    nodes.push(node);
    assert.equal((await node.http('GET', '/readyz')).status, 200);
    const probe = await caller(node);
    assert.equal((await probe.options()).status, 200);

    const first = await caller(node);
    assert.equal((await first.invite()).status, 200);
    first.startMedia();
    // The ACK crosses from the RTP thread (where the SIP socket is) to the event loop; this
    // HTTP request does not, and may get there first.
    await waitFor(async () => (await status(node)).activeCalls === 1, {
      message: 'the call counted once its ACK is in',
    });
    await expectStatus(node, {
      activeCalls: 1,
      capacity: 1,
      draining: false,
      accepting: false,
      inProgress: ONE_CALL,
    });
    const second = await caller(node);
    const refused = await second.invite();
    assert.equal(refused.status, 503);
    assert.ok(
      Number(refused.headers.get('retry-after')) > 0,
      'Retry-After tells the edge when to retry',
    );
    assert.equal((await probe.options()).status, 503);
    // The greeting reaches the caller before the hang-up: the RTP counters below count it.
    await waitFor(() => first.heard.some((p) => loudness(p) > 150), { message: 'greeting' });

    await first.stopMedia();
    assert.equal((await first.bye()).status, 200);
    await waitFor(async () => (await status(node)).accepting, { message: 'node accepting again' });
    assert.equal((await probe.options()).status, 200);

    const cancelled = await caller(node);
    const { invite, cancel } = await cancelled.inviteAndCancel();
    assert.equal(cancel.status, 200);
    assert.equal(invite.status, 487, 'CANCEL while ringing ends the attempt');
    await sleep(300);
    assert.equal((await status(node)).activeCalls, 0);

    const metrics = await node.metrics();
    // Every series of the node carries the agent it serves and its region.
    const served = { namespace: 'default', agent: 'front-desk', region: 'local' };
    const expected: [string, Record<string, string>, number][] = [
      ['voicefleet_calls_total', { direction: 'inbound', outcome: 'completed' }, 1],
      ['voicefleet_calls_total', { direction: 'inbound', outcome: 'rejected' }, 1],
      ['voicefleet_calls_total', { direction: 'inbound', outcome: 'cancelled' }, 1],
      ['voicefleet_sip_responses_total', { method: 'INVITE', code: '503' }, 1],
      ['voicefleet_capacity_calls', {}, 1],
      ['voicefleet_call_setup_seconds_bucket', { le: '0.3' }, 1],
    ];
    for (const [name, labels, value] of expected)
      assert.equal(sampleValue(metrics, name, { ...served, ...labels }), value, name);
    assert.match(metrics, /voicefleet_rtp_pacing_deviation_ms_count [1-9]/);
    assert.ok((sampleValue(metrics, 'voicefleet_rtp_packets_sent_total', served) ?? 0) > 0);
  });

  it('serves metrics on a port of its own that answers nothing else; the control port serves no metrics', async () => {
    const node = await startMediaNode();
    nodes.push(node);
    const onMetrics = (method: string, path: string) =>
      httpRequest(node.metricsPort, method, path, undefined, node.host);
    assert.notEqual(node.metricsPort, node.httpPort);
    assert.match(await node.metrics(), /^voicefleet_capacity_calls\{/m);
    for (const [method, path] of [
      ['POST', '/drain'],
      ['POST', '/calls'],
      ['GET', '/status'],
      ['GET', '/events'],
      ['GET', '/readyz'],
    ] as const)
      assert.equal(
        (await onMetrics(method, path)).status,
        404,
        `${method} ${path} on the metrics port`,
      );
    assert.equal((await onMetrics('POST', '/metrics')).status, 405);
    assert.equal((await status(node)).draining, false, 'the metrics port cannot drain the node');
    assert.equal(
      (await node.http('GET', '/metrics')).status,
      404,
      'no metrics on the control port',
    );
    assert.equal(
      (await node.http('GET', '/readyz')).status,
      200,
      'probes stay on the control port',
    );
  });

  it('SIGTERM drains: new INVITEs get 503, the active call goes on, the process exits 0 when it ends', async () => {
    const node = await startMediaNode();
    nodes.push(node);
    const active = await caller(node);
    assert.equal((await active.invite()).status, 200);
    active.startMedia();
    await waitFor(() => active.heard.some((p) => loudness(p) > 150), { message: 'greeting' });

    node.child.kill('SIGTERM');
    await waitFor(async () => (await node.http('GET', '/readyz')).status === 503, {
      message: 'readyz 503',
    });
    const late = await caller(node);
    const refused = await late.invite();
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await late.options()).status, 503);
    await expectStatus(node, {
      activeCalls: 1,
      capacity: 10,
      draining: true,
      accepting: false,
      inProgress: ONE_CALL,
    });

    const heardBefore = active.heard.length;
    await sleep(1500);
    assert.ok(
      active.heard.length > heardBefore || active.heard.length > 50,
      'the active call still has media',
    );
    let exited = false;
    void node.exitCode.then(() => (exited = true));
    await sleep(500);
    assert.equal(exited, false, 'the node waits for its active call');
    await active.stopMedia();
    assert.equal((await active.bye()).status, 200);
    assert.equal(await node.exitCode, 0);
  });

  it('at the drain deadline the node hangs up remaining calls (BYE) and exits 0', async () => {
    const node = await startMediaNode({ drain: { deadlineSeconds: 2 } });
    nodes.push(node);
    const active = await caller(node);
    assert.equal((await active.invite()).status, 200);
    active.startMedia();
    assert.equal((await node.http('POST', '/drain')).status, 202);
    await active.waitForRequest('BYE', 10_000);
    assert.equal(await node.exitCode, 0);
    await active.stopMedia();
    const ended = node.events.filter((e) => e.type === 'call.ended');
    assert.deepEqual(
      ended.map((e) => e.reason),
      ['drain-deadline'],
      'the call is reported as ended at the deadline, not as completed',
    );
    assert.match(
      node.logs.join(''),
      /"msg":"drain deadline passed, ending calls with BYE".*"calls":1/,
      'the log counts the calls the node ended',
    );
  });
});

describe('outbound calls an application places: POST /calls, then GET and DELETE /calls/{id}', () => {
  const peers: KamailioPeer[] = [];
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
  });

  /** A node whose edge is a scripted far end on loopback. */
  async function nodeWithFarEnd(behaviour: PeerBehaviour, extra: object = {}) {
    const port = await freePort();
    const farEnd = await startKamailioPeer(port, behaviour);
    peers.push(farEnd);
    const node = await startMediaNode({ edge: { uri: `sip:127.0.0.1:${port}` }, ...extra });
    nodes.push(node);
    return { node, farEnd };
  }

  async function place(node: RunningNode, body: object): Promise<string> {
    const placed = await node.http('POST', '/calls', JSON.stringify(body));
    assert.equal(placed.status, 202, placed.body);
    const view = JSON.parse(placed.body) as OutboundCallView;
    assert.equal(view.state, 'dialing', 'the id comes back at once, before any answer');
    return view.callId;
  }

  const callView = async (node: RunningNode, id: string) => {
    const got = await node.http('GET', `/calls/${id}`);
    assert.equal(got.status, 200, got.body);
    return JSON.parse(got.body) as OutboundCallView;
  };

  const untilState = (node: RunningNode, id: string, state: string) =>
    waitFor(
      async () => {
        const view = await callView(node, id);
        return view.state === state ? view : undefined;
      },
      { timeoutMs: 15_000, message: `call ${id} ${state}` },
    );

  it(
    'answered: dialing -> answered -> ended as completed, the same id in the events; silence from the far end ends it by media timeout',
    { skip: sippMissing() ?? false },
    async () => {
      const farEndPort = await freePort();
      const farEnd = await startSippUas(farEndPort);
      try {
        const node = await startMediaNode({
          media: { timeoutSeconds: 2 },
          edge: { uri: `sip:127.0.0.1:${farEndPort}` },
        });
        nodes.push(node);
        const callId = await place(node, { to: '+14155550123' });
        const answered = await untilState(node, callId, 'answered');
        assert.ok(answered.answeredAt, 'answeredAt');
        assert.ok(
          node.events.some(
            (e) => e.type === 'call.started' && e.callId === callId && e.direction === 'outbound',
          ),
          'call.started (outbound) carries the id POST /calls returned',
        );
        const ended = await untilState(node, callId, 'ended');
        assert.equal(ended.result, 'completed');
        assert.equal(ended.endReason, 'media-timeout');
        assert.equal(ended.sipStatus, undefined);
        const bad = await node.http('POST', '/calls', '{"to":"call me"}');
        assert.equal(bad.status, 400);
        assert.match(bad.body, /E\.164/);
        const badTimeout = await node.http(
          'POST',
          '/calls',
          '{"to":"+14155550123","timeoutSeconds":0}',
        );
        assert.equal(badTimeout.status, 400);
        assert.match(badTimeout.body, /timeoutSeconds.*1 to 300/);
      } finally {
        await farEnd.stop();
      }
    },
  );

  it("busy: ended as busy with the far end's 486, in GET and in call.ended", async () => {
    const { node, farEnd } = await nodeWithFarEnd({ kind: 'answer', code: 486 });
    const callId = await place(node, { to: '+14155550124' });
    const ended = await untilState(node, callId, 'ended');
    assert.deepEqual([ended.result, ended.sipStatus], ['busy', 486]);
    assert.equal(farEnd.invites[0]?.callId, callId, "the INVITE's Call-ID is the call's id");
    const event = await waitFor(
      () => node.events.find((e) => e.type === 'call.ended' && e.callId === callId),
      { message: 'call.ended' },
    );
    assert.deepEqual([event.reason, event.sipStatus], ['busy', 486]);
    assert.equal((await status(node)).inProgress['settingUp'], 0);
  });

  it('ringing, then DELETE: the node CANCELs and the call ends as cancelled (487)', async () => {
    const { node } = await nodeWithFarEnd({ kind: 'ring' });
    const callId = await place(node, { to: '+14155550125' });
    const ringing = await untilState(node, callId, 'ringing');
    assert.ok(ringing.ringingAt);
    const cancelled = await node.http('DELETE', `/calls/${callId}`);
    assert.equal(cancelled.status, 202, cancelled.body);
    const ended = await untilState(node, callId, 'ended');
    assert.deepEqual([ended.result, ended.sipStatus], ['cancelled', 487]);
  });

  it('nobody answers within timeoutSeconds: the node CANCELs and the call ends as no-answer', async () => {
    const { node } = await nodeWithFarEnd({ kind: 'ring' });
    const started = Date.now();
    const callId = await place(node, { to: '+14155550126', timeoutSeconds: 1 });
    const ended = await untilState(node, callId, 'ended');
    assert.equal(ended.result, 'no-answer');
    const rang = Date.parse(ended.endedAt ?? '') - Date.parse(ended.createdAt);
    assert.ok(rang >= 1000 && rang < 5000, `rang ${rang} ms for timeoutSeconds 1`);
    assert.ok(Date.now() - started < 10_000);
  });

  it('unknown ids get 404, other methods 405; a draining node refuses new calls 503 with Retry-After', async () => {
    const { node } = await nodeWithFarEnd({ kind: 'ring' });
    assert.equal((await node.http('GET', '/calls/nope')).status, 404);
    assert.equal((await node.http('DELETE', '/calls/nope')).status, 404);
    assert.equal((await node.http('PUT', '/calls/nope')).status, 405);
    // a call still ringing keeps the draining node up (an idle one exits at once)
    const ringing = await place(node, { to: '+14155550128' });
    await untilState(node, ringing, 'ringing');
    await node.http('POST', '/drain');
    const refused = await fetch(`http://${node.host}:${node.httpPort}/calls`, {
      method: 'POST',
      body: JSON.stringify({ to: '+14155550127' }),
    });
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /draining/);
    assert.match(refused.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    assert.equal((await node.http('DELETE', `/calls/${ringing}`)).status, 202);
    // the cancelled call was all the draining node held: it ends, and the node exits
    const ended = await waitFor(
      () => node.events.find((e) => e.type === 'call.ended' && e.callId === ringing),
      { message: 'call.ended for the cancelled call' },
    );
    assert.equal(ended.reason, 'cancelled');
  });
});
