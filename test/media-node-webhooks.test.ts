// Webhooks from a real media-node process: a call placed over SIP and RTP on loopback reaches a
// webhook receiver that refuses its first three deliveries, as signed events, once per delivery id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@voicefleet/devtools/processes';
import { renderPcm8k } from './audio/speech.js';
import { TestCaller, loudness } from './media-node-caller.js';
import { startMediaNode, type RunningNode } from './media-node-process.js';
import { sampleValue } from './harness/prom-text.js';
import { KEY, Receiver } from '../media-node/src/webhooks/webhook-receiver.test-support.js';
import { TRANSFER_FAILED_PROMPT } from '../media-node/src/core/call.js';

const HOURS = 'On Saturday we open at nine in the morning and close at one.';

describe('media node: call events by webhook', { timeout: 120_000 }, () => {
  let node: RunningNode;
  const receiver = new Receiver(3);
  const callers: TestCaller[] = [];

  before(async () => {
    const port = await receiver.start();
    node = await startMediaNode(
      {
        events: {
          webhooks: [
            {
              url: `http://127.0.0.1:${port}/calls`,
              secretEnv: 'VOICEFLEET_WEBHOOK_0_KEY',
              events: ['call.started', 'call.answered', 'turn', 'call.transferred', 'call.ended'],
            },
          ],
        },
      },
      { VOICEFLEET_WEBHOOK_0_KEY: KEY },
    );
  });
  after(async () => {
    for (const c of callers) c.close();
    await node?.stop();
    await receiver.stop();
  });

  it('delivers started, answered, each turn with both sides, and ended, signed, once per delivery id', async () => {
    const question = await renderPcm8k(node.dir, 'question', 'what time do you open on saturday');
    const caller = await TestCaller.create(node.sipPort);
    callers.push(caller);
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await waitFor(() => caller.heard.some((p) => loudness(p) > 150), { message: 'greeting' });
    await waitFor(() => receiver.accepted.some((r) => r.type === 'turn'), {
      timeoutMs: 20_000,
      message: 'the greeting turn',
    });
    await caller.speak(question);
    await waitFor(
      () => receiver.accepted.some((r) => r.type === 'turn' && r.body.data['agent'] === HOURS),
      { timeoutMs: 30_000, message: 'the answered turn' },
    );
    await caller.stopMedia();
    assert.equal((await caller.bye()).status, 200);
    const ended = await waitFor(() => receiver.accepted.find((r) => r.type === 'call.ended'), {
      timeoutMs: 10_000,
      message: 'call.ended',
    });

    assert.equal(receiver.badSignatures, 0, 'every delivery is signed with the Secret’s key');
    assert.ok(receiver.requests >= receiver.accepted.length + 3, 'the first three were retried');
    assert.deepEqual(
      [...receiver.acceptedIds.values()].filter((n) => n !== 1),
      [],
      'each delivery id accepted once',
    );
    const ofCall = receiver.accepted.filter((r) => r.body.callId === caller.callId);
    assert.deepEqual(
      ofCall.map((r) => r.type),
      ['call.started', 'call.answered', 'turn', 'turn', 'call.ended'],
    );
    const turn = ofCall[3]!.body.data;
    assert.equal(turn['caller'], 'what time do you open on saturday');
    assert.equal(turn['agent'], HOURS);
    assert.equal(typeof (turn['timings'] as { firstRtpMs?: unknown }).firstRtpMs, 'number');
    const data = ended.body.data as {
      reason: string;
      durationMs: number;
      turns: { count: number; firstRtpMs?: { p50: number; max: number } };
    };
    assert.equal(data.reason, 'remote-bye');
    assert.ok(data.durationMs > 1000, `duration ${data.durationMs} ms`);
    assert.equal(data.turns.count, 2);
    assert.ok(data.turns.firstRtpMs && data.turns.firstRtpMs.max > 0);
    assert.deepEqual(ended.body, {
      ...ended.body,
      agent: { namespace: 'default', name: 'front-desk' },
      region: 'local',
    });

    const metrics = await node.metrics();
    const delivered = sampleValue(metrics, 'voicefleet_webhook_deliveries_total', {
      namespace: 'default',
      agent: 'front-desk',
      region: 'local',
      webhook: '0',
      outcome: 'delivered',
    });
    assert.equal(delivered, receiver.accepted.length);
    assert.ok(!node.logs.join('').includes(KEY), 'the signing key is never logged');
  });

  it('follows a transfer to its outcome: refused, the agent stays and says so; completed, it hangs up', async () => {
    const ask = await renderPcm8k(node.dir, 'person', 'i want to talk to a person');
    const caller = await TestCaller.create(node.sipPort);
    callers.push(caller);
    const transfers = () =>
      receiver.accepted.filter(
        (r) => r.type === 'call.transferred' && r.body.callId === caller.callId,
      );
    const agentSaid = (text: string) =>
      receiver.accepted.some(
        (r) =>
          r.type === 'turn' && r.body.callId === caller.callId && r.body.data['agent'] === text,
      );
    caller.referAnswer = { status: 603 };
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await waitFor(() => caller.heard.some((p) => loudness(p) > 150), { message: 'greeting' });
    await caller.speak(ask);
    await waitFor(() => transfers().length === 1, {
      timeoutMs: 30_000,
      message: 'the refused transfer',
    });
    assert.deepEqual(transfers()[0]?.body.data, {
      method: 'refer',
      target: 'sip:+*******0199@127.0.0.1:5060',
      outcome: 'rejected',
      sipStatus: 603,
    });
    const refusedAt = performance.now();
    await waitFor(() => caller.heard.some((p) => p.atMs > refusedAt && loudness(p) > 150), {
      timeoutMs: 20_000,
      message: 'the agent telling the caller the transfer did not go through',
    });
    assert.ok(!caller.requestsReceived.includes('BYE'), 'the caller is still with the agent');

    // The caller's side accepts the second REFER, and its NOTIFY says the target answered.
    caller.referAnswer = { status: 202, notify: 200 };
    await caller.speak(ask);
    await caller.waitForRequest('BYE', 30_000);
    await caller.stopMedia();
    await waitFor(() => transfers().length === 2, {
      timeoutMs: 10_000,
      message: 'the completed transfer',
    });
    assert.deepEqual(transfers()[1]?.body.data, {
      method: 'refer',
      target: 'sip:+*******0199@127.0.0.1:5060',
      outcome: 'completed',
      sipStatus: 200,
    });
    assert.deepEqual(
      caller.requestsReceived.filter((m) => m === 'REFER' || m === 'BYE'),
      ['REFER', 'REFER', 'BYE'],
    );
    const ended = await waitFor(
      () =>
        receiver.accepted.find((r) => r.type === 'call.ended' && r.body.callId === caller.callId),
      { timeoutMs: 10_000, message: 'call.ended' },
    );
    assert.equal((ended.body.data as { reason: string }).reason, 'transferred');
    assert.ok(agentSaid(TRANSFER_FAILED_PROMPT), 'what the agent said is in the call’s turns');
  });
});
