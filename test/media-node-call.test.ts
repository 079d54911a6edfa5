/**
 * End to end through one media-node process (bin/media-node): real SIP and RTP on loopback, the
 * front-desk script, espeak-ng TTS and pocketsphinx STT. The test caller speaks espeak-rendered
 * questions and judges what it hears with pocketsphinx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { recognise, renderPcm8k } from './audio/speech.js';
import { waitFor } from '@voicefleet/devtools/processes';
import { TestCaller, loudness, type HeardPacket } from './media-node-caller.js';
import { startMediaNode, type RunningNode } from './media-node-process.js';
import { sampleValue } from './harness/prom-text.js';

const HOURS = 'On Saturday we open at nine in the morning and close at one.';
const FALLBACK = 'Sorry, I did not catch that. Could you say it again?';
const GREETING_HEARD = 'thanks for calling bay view dental how can i help';
const LOUD = 150;

/** Waits until the agent has been audible (after packet `from`), then quiet for `quietMs`. */
async function untilAgentQuiet(
  caller: TestCaller,
  from = 0,
  quietMs = 600,
  timeoutMs = 15_000,
): Promise<void> {
  await waitFor(() => caller.heard.slice(from).some((p) => loudness(p) > LOUD), {
    timeoutMs,
    message: 'agent audio',
  });
  await waitFor(
    () => {
      const last = caller.heard.at(-1);
      return last !== undefined && performance.now() - last.atMs > quietMs;
    },
    { timeoutMs, message: 'agent to finish speaking' },
  );
}

function assertWellFormedStream(packets: HeardPacket[]): void {
  assert.ok(
    packets.length > 50,
    `a reply has more than a second of audio (${packets.length} packets)`,
  );
  const gaps: number[] = [];
  for (let i = 1; i < packets.length; i++) {
    const a = packets[i - 1]!;
    const b = packets[i]!;
    assert.equal((b.seq - a.seq + 0x10000) & 0xffff, 1, `sequence numbers step by one at ${i}`);
    const dts = (b.ts - a.ts + 2 ** 32) % 2 ** 32;
    assert.ok(dts >= 160 && dts % 160 === 0, `timestamps advance in 20 ms units at ${i} (+${dts})`);
    if (dts === 160) gaps.push(b.atMs - a.atMs);
  }
  gaps.sort((x, y) => x - y);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  assert.ok(
    median > 17 && median < 23,
    `packets arrive every 20 ms (median gap ${median.toFixed(2)} ms)`,
  );
}

describe('media node: calls end to end', { timeout: 180_000 }, () => {
  let node: RunningNode;
  let question: Int16Array;
  let goodbye: Int16Array;
  const callers: TestCaller[] = [];
  const newCaller = async () => {
    const c = await TestCaller.create(node.sipPort);
    callers.push(c);
    return c;
  };

  before(async () => {
    node = await startMediaNode();
    question = await renderPcm8k(node.dir, 'question', 'what time do you open on saturday');
    goodbye = await renderPcm8k(node.dir, 'goodbye', 'goodbye');
  });
  after(async () => {
    for (const c of callers) c.close();
    await node?.stop();
  });

  it('a caller hears the greeting, asks for Saturday hours and hears the scripted answer', async () => {
    const caller = await newCaller();
    const answer = await caller.invite();
    assert.equal(answer.status, 200);
    assert.ok(answer.provisional.includes(180), '180 Ringing before 200');
    caller.startMedia();
    await untilAgentQuiet(caller);
    const greeting = await recognise(node.dir, caller.heardPcm(), [GREETING_HEARD, FALLBACK]);
    assert.equal(greeting, GREETING_HEARD);

    const before = caller.heard.length;
    await caller.speak(question);
    await untilAgentQuiet(caller, before);
    const reply = caller.heard.slice(before);
    assertWellFormedStream(reply);
    assert.ok(reply.filter((p) => loudness(p) > LOUD).length > 40, 'the reply carries speech');
    const heard = await recognise(node.dir, caller.heardPcm(before), [HOURS, FALLBACK]);
    assert.equal(heard, 'on saturday we open at nine in the morning and close at one');

    const events = node.events.filter((e) => e.callId === answer.headers.get('call-id'));
    assert.ok(
      events.some(
        (e) =>
          e.type === 'transcript' &&
          e.role === 'caller' &&
          e.text === 'what time do you open on saturday',
      ),
    );
    assert.ok(
      events.some((e) => e.type === 'transcript' && e.role === 'agent' && e.text === HOURS),
    );
    const turn = events.find((e) => e.type === 'turn');
    assert.ok(turn, 'a turn event with timings');
    assert.equal(
      typeof (turn.timings as Record<string, unknown>).firstRtpMs,
      'number',
      `first turn's timings: ${JSON.stringify(turn.timings)}`,
    );
    const metrics = await node.metrics();
    const served = { namespace: 'default', agent: 'front-desk', region: 'local' };
    for (const stage of ['stt', 'llm', 'tts', 'rtp', 'total']) {
      const count = sampleValue(metrics, 'voicefleet_turn_stage_seconds_bucket', {
        ...served,
        le: '0.75',
        stage,
      });
      assert.ok(count !== undefined, `turn stage ${stage} has an le="0.75" series`);
    }

    await caller.stopMedia();
    assert.equal((await caller.bye()).status, 200);
    const ended = await waitFor(
      () => node.events.find((e) => e.type === 'call.ended' && e.callId === caller.callId),
      {
        message: 'call.ended',
      },
    );
    // Loopback: nothing lost, little jitter, an E-model MOS near G.711's best.
    const quality = ended.quality as { lossRatio: number; jitterMs: number; mos: number };
    assert.equal(quality.lossRatio, 0);
    assert.ok(quality.jitterMs < 20, `jitter ${quality.jitterMs} ms`);
    assert.ok(quality.mos > 4.3, `MOS ${quality.mos}`);
    const status = JSON.parse((await node.http('GET', '/status')).body) as { activeCalls: number };
    assert.equal(status.activeCalls, 0);
  });

  it('an INVITE without SDP gets the node’s offer in the 200; with the answer in the ACK the caller hears the greeting', async () => {
    const caller = await newCaller();
    const answer = await caller.invite({ offer: false });
    assert.equal(answer.status, 200);
    assert.match(
      answer.body,
      /^m=audio \d+ RTP\/AVP 0 8 101\r$/m,
      'our offer: codecs + telephone-event',
    );
    // the caller sends no RTP: only the answer in its ACK tells the node where to send
    await untilAgentQuiet(caller);
    assert.ok(
      caller.heard.filter((p) => loudness(p) > LOUD).length > 40,
      'the greeting reaches the port of the ACK’s answer',
    );
    assert.ok(
      caller.heard.every((p) => p.pt === 0),
      'in PCMU, the codec the answer chose',
    );
    assert.equal((await caller.bye()).status, 200);
  });

  it('barge-in: the caller talks over the greeting and playback stops', async () => {
    const caller = await newCaller();
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await waitFor(() => caller.heard.filter((p) => loudness(p) > LOUD).length > 25, {
      message: 'greeting under way',
    });
    const onset = performance.now();
    await caller.speak(question);
    const loudAfter = caller.heard.filter(
      (p) => p.atMs > onset && p.atMs < onset + 1500 && loudness(p) > LOUD,
    );
    const stoppedAt = loudAfter.at(-1)?.atMs ?? onset;
    assert.ok(
      stoppedAt - onset < 1000,
      `playback stopped ${(stoppedAt - onset).toFixed(0)} ms after the caller spoke`,
    );
    await waitFor(
      () => node.events.some((e) => e.type === 'barge-in' && e.callId === caller.callId),
      {
        message: 'barge-in event',
      },
    );
    await caller.bye();
  });

  it('DTMF digits reach the agent', async () => {
    const caller = await newCaller();
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await sleep(300);
    await caller.dtmf('5');
    await caller.dtmf('#');
    await waitFor(
      () => {
        const digits = node.events
          .filter((e) => e.type === 'dtmf' && e.callId === caller.callId)
          .map((e) => e.digit);
        return digits.join('') === '5#';
      },
      { message: 'dtmf events 5 and #' },
    );
    await caller.stopMedia();
    await caller.bye();
  });

  it('hold silences the agent towards the caller; resume brings it back', async () => {
    const caller = await newCaller();
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await untilAgentQuiet(caller);
    const hold = await caller.reinvite('sendonly');
    assert.equal(hold.status, 200);
    assert.match(hold.body, /a=recvonly/);
    const held = caller.heard.length;
    await caller.speak(question);
    await sleep(3000);
    assert.equal(caller.heard.length - held, 0, 'nothing is sent to a caller who put us on hold');
    const resume = await caller.reinvite('sendrecv');
    assert.equal(resume.status, 200);
    assert.match(resume.body, /a=sendrecv/);
    const resumed = caller.heard.length;
    await caller.speak(question);
    await waitFor(() => caller.heard.slice(resumed).filter((p) => loudness(p) > LOUD).length > 20, {
      message: 'agent audible after resume',
    });
    assert.ok(
      node.events.some((e) => e.type === 'hold' && e.callId === caller.callId && e.held === true),
    );
    await caller.stopMedia();
    await caller.bye();
  });

  it('the agent hangs up after goodbye: the caller gets a BYE', async () => {
    const caller = await newCaller();
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await untilAgentQuiet(caller);
    await caller.speak(goodbye);
    await caller.waitForRequest('BYE', 20_000);
    await caller.stopMedia();
    const ended = await waitFor(() =>
      node.events.find((e) => e.type === 'call.ended' && e.callId === caller.callId),
    );
    assert.equal(ended.reason, 'agent-hangup');
  });

  it('an offer with no acceptable codec gets 488', async () => {
    const caller = await newCaller();
    const r = await caller.invite({
      sdp: caller.sdp('sendrecv', '18').replace(/a=rtpmap:0.*\r\n/, ''),
    });
    assert.equal(r.status, 488);
  });
});
