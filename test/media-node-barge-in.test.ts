/**
 * Barge-in end to end through bin/media-node on the production onset path (WebRTC VAD on the RTP
 * thread, which holds playback at the onset frame): what a caller hears when it talks over the
 * agent. Speech shorter than `bargeIn.minSpeechMs` pauses the greeting and it goes on where it
 * stopped; longer speech cuts it and is answered; a greeting that may not be interrupted plays in
 * full. "In full" is exact: the audible payloads are those a silent caller hears, in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recognise, renderPcm8k } from './audio/speech.js';
import { waitFor } from '@voicefleet/devtools/processes';
import { TestCaller, loudness, type HeardPacket } from './media-node-caller.js';
import { FRONT_DESK_PIPELINE, startMediaNode, type RunningNode } from './media-node-process.js';
import { sampleValue } from './harness/prom-text.js';

const HOURS = 'On Saturday we open at nine in the morning and close at one.';
const FALLBACK = 'Sorry, I did not catch that. Could you say it again?';
const LOUD = 150;
const WEBRTC = { ...FRONT_DESK_PIPELINE, vad: { provider: 'webrtc', endOfTurnMs: 500 } };

const isAudible = (p: HeardPacket) => p.pt === 0 && p.payload.some((b) => b !== 0xff && b !== 0x7f);

/** Payloads that are not digital silence (µ-law 0xFF / 0x7F), as hex, in the order heard. */
function audible(packets: readonly HeardPacket[]): string[] {
  return packets.filter(isAudible).map((p) => Buffer.from(p.payload).toString('hex'));
}

/** Waits until the agent has been audible, then sent nothing for `quietMs`. */
/**
 * Until the agent has spoken and then sent nothing for `quietMs`. What counts as having spoken is
 * more than `frames` audible frames from `from` on, so a reply that starts late (after the speech
 * ended, its STT, LLM and TTS) is waited for rather than mistaken for the silence before it.
 */
async function untilQuiet(
  caller: TestCaller,
  {
    from = 0,
    frames = 0,
    quietMs = 1000,
  }: { from?: number; frames?: number; quietMs?: number } = {},
): Promise<void> {
  await waitFor(() => caller.heard.slice(from).filter(isAudible).length > frames, {
    message: 'agent audio',
  });
  await waitFor(
    () => {
      const last = caller.heard.at(-1);
      return last !== undefined && performance.now() - last.atMs > quietMs;
    },
    { timeoutMs: 20_000, message: 'agent to finish speaking' },
  );
}

/** The first `ms` of `pcm` from its first audible sample. */
function fromFirstSound(pcm: Int16Array, ms: number): Int16Array {
  const first = Math.max(
    0,
    pcm.findIndex((x) => Math.abs(x) > 500),
  );
  return pcm.slice(first, first + ms * 8);
}

describe('media node: barge-in', { timeout: 240_000 }, () => {
  let node: RunningNode;
  let strict: RunningNode;
  let question: Int16Array;
  let hello: Int16Array;
  /** The greeting as a caller who says nothing hears it. */
  let greeting: string[];
  const callers: TestCaller[] = [];
  const newCaller = async (on: RunningNode) => {
    const c = await TestCaller.create(on.sipPort);
    callers.push(c);
    return c;
  };
  const eventsOf = (on: RunningNode, caller: TestCaller, type: string) =>
    on.events.filter((e) => e.callId === caller.callId && e.type === type);
  const agentSaid = (on: RunningNode, caller: TestCaller, text: string) =>
    eventsOf(on, caller, 'transcript').some((e) => e.role === 'agent' && e.text === text);

  before(async () => {
    node = await startMediaNode({ pipeline: WEBRTC });
    strict = await startMediaNode({
      pipeline: { ...WEBRTC, bargeIn: { greetingInterruptible: false } },
    });
    question = fromFirstSound(
      await renderPcm8k(node.dir, 'question', 'what time do you open on saturday'),
      10_000,
    );
    hello = fromFirstSound(await renderPcm8k(node.dir, 'hello', 'hello?'), 150);
    const silent = await newCaller(node);
    assert.equal((await silent.invite()).status, 200);
    silent.startMedia();
    await untilQuiet(silent);
    greeting = audible(silent.heard);
    assert.ok(greeting.length > 100, `the greeting lasts over 2 s (${greeting.length} frames)`);
    await silent.stopMedia();
    await silent.bye();
  });
  after(async () => {
    for (const c of callers) c.close();
    await node?.stop();
    await strict?.stop();
  });

  it('a 150 ms "hello?" from the first packet pauses the greeting; the caller hears all of it', async () => {
    const caller = await newCaller(node);
    assert.equal((await caller.invite()).status, 200);
    void caller.speak(hello);
    await untilQuiet(caller);
    assert.deepEqual(audible(caller.heard), greeting, 'every frame of the greeting, in order');
    const resumed = eventsOf(node, caller, 'barge-in.resumed');
    assert.equal(resumed.length, 1, 'the speech paused the greeting once');
    // about 300 ms on a quiet machine (the word, the VAD's hangover, 200 ms of silence)
    assert.ok(Number(resumed[0]!.pausedMs) < 1000, `paused ${String(resumed[0]!.pausedMs)} ms`);
    assert.deepEqual(eventsOf(node, caller, 'barge-in'), [], 'no barge-in');
    assert.deepEqual(
      eventsOf(node, caller, 'transcript').filter((e) => e.role === 'caller'),
      [],
      'the "hello?" was no turn',
    );
    const metrics = await node.metrics();
    const resumes = sampleValue(metrics, 'voicefleet_agent_barge_ins_total', {
      namespace: 'default',
      agent: 'front-desk',
      region: 'local',
      outcome: 'resumed',
    });
    assert.ok(resumes !== undefined && resumes >= 1, `resumed barge-ins counted (${resumes})`);
    await caller.stopMedia();
    await caller.bye();
  });

  it('a crackle of line noise over the greeting does not cut it', async () => {
    const caller = await newCaller(node);
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await waitFor(() => caller.heard.filter((p) => loudness(p) > LOUD).length > 25, {
      message: 'greeting under way',
    });
    let seed = 7;
    const noise = Int16Array.from({ length: 8 * 120 }, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed % 12000) - 6000;
    });
    await caller.speak(noise);
    await untilQuiet(caller);
    const seen = JSON.stringify(node.events.filter((e) => e.callId === caller.callId));
    assert.deepEqual(eventsOf(node, caller, 'barge-in'), [], `no barge-in: ${seen}`);
    assert.deepEqual(audible(caller.heard), greeting, 'every frame of the greeting, in order');
    await caller.stopMedia();
    await caller.bye();
  });

  it('speech that lasts cuts the greeting at its onset, and the agent answers it', async () => {
    const caller = await newCaller(node);
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await waitFor(() => caller.heard.filter((p) => loudness(p) > LOUD).length > 25, {
      message: 'greeting under way',
    });
    const spokeAt = performance.now();
    const spoken = await caller.speak(question);
    const lastOfGreeting = caller.heard
      .filter((p) => p.atMs < spoken && loudness(p) > LOUD)
      .at(-1)!;
    assert.ok(
      lastOfGreeting.atMs - spokeAt < 300,
      `the greeting stopped ${(lastOfGreeting.atMs - spokeAt).toFixed(0)} ms after the caller began`,
    );
    const cut = audible(caller.heard.filter((p) => p.atMs < spoken));
    assert.ok(cut.length < greeting.length - 25, `the rest of the greeting was dropped`);
    assert.deepEqual(cut, greeting.slice(0, cut.length), 'what was heard is its start');
    const replyFrom = caller.heard.length;
    await waitFor(() => agentSaid(node, caller, HOURS), { message: 'the answer' });
    await untilQuiet(caller, { from: replyFrom });
    const heard = await recognise(node.dir, caller.heardPcm(replyFrom), [HOURS, FALLBACK]);
    assert.equal(heard, 'on saturday we open at nine in the morning and close at one');
    const bargeIns = eventsOf(node, caller, 'barge-in');
    assert.equal(bargeIns.length, 1);
    assert.ok(
      Number(bargeIns[0]!.stopLatencyMs) < 100,
      `playback stopped ${String(bargeIns[0]!.stopLatencyMs)} ms after the onset`,
    );
    await caller.stopMedia();
    await caller.bye();
  });

  it('a greeting that may not be interrupted is heard in full under speech; then the caller is answered', async () => {
    const caller = await newCaller(strict);
    assert.equal((await caller.invite()).status, 200);
    caller.startMedia();
    await waitFor(() => caller.heard.filter((p) => loudness(p) > LOUD).length > 10, {
      message: 'greeting under way',
    });
    await caller.speak(question);
    await waitFor(() => agentSaid(strict, caller, HOURS), { message: 'the answer' });
    await untilQuiet(caller, { frames: greeting.length });
    const heard = audible(caller.heard);
    assert.deepEqual(
      heard.slice(0, greeting.length),
      greeting,
      'every frame of the greeting first',
    );
    const after = caller.heard.filter(isAudible)[greeting.length];
    assert.ok(after, 'a reply follows the greeting');
    const replyFrom = caller.heard.indexOf(after);
    const reply = await recognise(strict.dir, caller.heardPcm(replyFrom), [HOURS, FALLBACK]);
    assert.equal(reply, 'on saturday we open at nine in the morning and close at one');
    assert.deepEqual(eventsOf(strict, caller, 'barge-in'), []);
    assert.deepEqual(eventsOf(strict, caller, 'barge-in.resumed'), []);
    await caller.stopMedia();
    await caller.bye();
  });
});
