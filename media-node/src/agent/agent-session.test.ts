// The agent session as a state machine: injected clock, energy turn detection on synthetic audio,
// and fake-but-realistic streaming providers (delays, aborts, failures).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createAgentSession } from './agent-session.js';
import type { BargeInPolicy } from './barge-in.js';
import type { AgentEvents, AudioSink } from './types.js';
import { createFixedStt } from '../providers/local/fixed-stt.js';
import { ProviderError } from '../providers/provider-error.js';
import { FRONT_DESK_SCRIPT } from '../providers/scripted/front-desk-script.js';
import { createScriptedLlm } from '../providers/scripted/scripted-llm.js';
import type { LlmEvent, LlmProvider, SttProvider, TtsProvider } from '../providers/types.js';
import { createEnergyVad } from '../vad/energy-vad.js';
import { createFrameTurnDetector } from '../vad/frame-turn-detector.js';
import { waitFor } from '@voicefleet/devtools/processes';

/** Real time plus a virtual offset that frames advance (so 1 s of audio need not take 1 s). */
function testClock() {
  let offset = 0;
  return { now: () => performance.now() + offset, advance: (ms: number) => void (offset += ms) };
}

const speechFrame = () =>
  Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
const silenceFrame = () => new Int16Array(160);

/** TTS that renders 40 ms of tone per character, streamed in 100 ms chunks after a first delay. */
function toneTts(opts: { failTimes?: number; retryable?: boolean; name?: string } = {}) {
  const log = { texts: [] as string[], aborted: 0, startedAt: [] as number[] };
  let failures = opts.failTimes ?? 0;
  const tts: TtsProvider = {
    name: opts.name ?? 'tone',
    async *synthesize(text, signal) {
      log.texts.push(text);
      log.startedAt.push(performance.now());
      signal.addEventListener('abort', () => log.aborted++, { once: true });
      await sleep(5, undefined, { signal });
      if (failures > 0) {
        failures--;
        throw new ProviderError(tts.name, 'tts down', { retryable: opts.retryable ?? false });
      }
      let left = text.length * 40 * 8;
      while (left > 0) {
        const n = Math.min(800, left);
        left -= n;
        yield new Int16Array(n).fill(1000);
        await sleep(1, undefined, { signal });
      }
    },
    close: () => Promise.resolve(),
  };
  return { tts, log };
}

/** LLM that streams given events with delays and can fail first. */
function streamingLlm(
  events: LlmEvent[],
  opts: { failFirst?: ProviderError; tokenMs?: number } = {},
) {
  const log = { calls: 0, aborted: 0, finishedAt: [] as number[] };
  const llm: LlmProvider = {
    name: 'stream',
    async *respond(_ctx, signal) {
      log.calls++;
      signal.addEventListener('abort', () => log.aborted++, { once: true });
      await sleep(10, undefined, { signal });
      if (opts.failFirst && log.calls === 1) throw opts.failFirst;
      for (const ev of events) {
        await sleep(opts.tokenMs ?? 2, undefined, { signal });
        yield ev;
      }
      log.finishedAt.push(performance.now());
    },
    close: () => Promise.resolve(),
  };
  return { llm, log };
}

/** Counts frames and, like the RTP path, plays nothing while paused (a possible barge-in). */
function recordingSink(clock: { now(): number }) {
  const s = { frames: 0, clears: 0, pauses: 0, resumes: 0, paused: false };
  const sink: AudioSink = {
    write(_frame, onSent) {
      s.frames++;
      if (onSent) setTimeout(() => onSent(clock.now()), 2);
    },
    clear: () => {
      s.clears++;
      s.paused = false;
    },
    pause: () => {
      s.pauses++;
      s.paused = true;
    },
    resume: () => {
      s.resumes++;
      s.paused = false;
    },
  };
  return { sink, s };
}

function harness(opts: {
  stt?: SttProvider;
  llm?: LlmProvider;
  tts?: TtsProvider;
  fallbackTts?: TtsProvider;
  greeting?: string;
  prepareAhead?: boolean;
  bargeIn?: Partial<BargeInPolicy>;
}) {
  const clock = testClock();
  const { sink, s } = recordingSink(clock);
  const session = createAgentSession({
    pipeline: { greeting: opts.greeting ?? '' },
    providers: {
      stt:
        opts.stt ??
        createFixedStt({ transcripts: ['what time do you open on saturday'], finalDelayMs: 15 }),
      llm:
        opts.llm ??
        createScriptedLlm({ script: FRONT_DESK_SCRIPT, tokenDelayMs: 2, firstTokenDelayMs: 10 }),
      tts: opts.tts ?? toneTts().tts,
    },
    ...(opts.fallbackTts ? { fallbackTts: opts.fallbackTts } : {}),
    ...(opts.prepareAhead === undefined ? {} : { prepareAhead: opts.prepareAhead }),
    ...(opts.bargeIn === undefined ? {} : { bargeIn: opts.bargeIn }),
    sink,
    clock,
    log: { info: () => undefined, warn: () => undefined },
    transferTarget: '+14155550199',
    turnDetector: () => createFrameTurnDetector({ onset: createEnergyVad(), endOfTurnMs: 200 }),
  });
  const seen: { [K in keyof AgentEvents]: AgentEvents[K][0][] } = {
    state: [],
    transcript: [],
    turn: [],
    action: [],
    prepared: [],
    bargeIn: [],
    bargeInResumed: [],
    error: [],
  };
  for (const k of Object.keys(seen) as (keyof AgentEvents)[]) {
    session.on(k, (v: unknown) => void (seen[k] as unknown[]).push(v));
  }
  const push = (frame: () => Int16Array, count: number) => {
    for (let i = 0; i < count; i++) {
      clock.advance(20);
      session.pushAudio(frame(), clock.now());
    }
  };
  return {
    session,
    clock,
    s,
    seen,
    say: (ms = 600) => {
      push(speechFrame, ms / 20);
      push(silenceFrame, 15);
    },
    silence: (ms: number) => push(silenceFrame, ms / 20),
  };
}

void describe('agent session', () => {
  void it('greets the caller, then listens once the greeting has played out', async () => {
    const h = harness({ greeting: 'Thanks for calling.' });
    h.session.start();
    assert.equal(h.session.state, 'greeting');
    await waitFor(() => h.seen.transcript.length === 1, {
      message: 'greeting transcript',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.transcript[0], { role: 'agent', text: 'Thanks for calling.' });
    assert.ok(h.s.frames >= 30, `greeting audio written (${h.s.frames} frames)`);
    h.silence(h.s.frames * 20 + 40);
    assert.equal(h.session.state, 'listening');
  });

  void it('answers a caller turn and times its stages in order', async () => {
    const h = harness({});
    h.session.start();
    h.say();
    assert.equal(h.session.state, 'thinking');
    await waitFor(() => h.seen.turn.length === 1, {
      message: 'turn event',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    const t = h.seen.turn[0]!.timings;
    assert.ok(t.sttFinalMs !== undefined && t.llmFirstTokenMs !== undefined);
    assert.ok(t.ttsFirstAudioMs !== undefined && t.firstRtpMs !== undefined);
    assert.ok(t.sttFinalMs >= 15, `stt final ${t.sttFinalMs} includes the recogniser delay`);
    assert.ok(
      t.sttFinalMs <= t.llmFirstTokenMs && t.llmFirstTokenMs <= t.ttsFirstAudioMs,
      JSON.stringify(t),
    );
    assert.ok(t.ttsFirstAudioMs <= t.firstRtpMs, JSON.stringify(t));
    await waitFor(() => h.seen.transcript.length === 2, {
      message: 'agent transcript',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.transcript, [
      { role: 'caller', text: 'what time do you open on saturday' },
      { role: 'agent', text: 'On Saturday we open at nine in the morning and close at one.' },
    ]);
    assert.deepEqual(h.seen.state.slice(0, 4), ['listening', 'hearing', 'thinking', 'speaking']);
  });

  void it('starts speaking the first sentence before the LLM has finished', async () => {
    const words = 'Sure thing. We are open until five today, and on Saturday until one.'.split(
      /(?<= )/,
    );
    const { llm, log } = streamingLlm(
      words.map((delta) => ({ type: 'text', delta })),
      { tokenMs: 15 },
    );
    const tone = toneTts();
    const h = harness({ llm, tts: tone.tts });
    h.session.start();
    h.say();
    await waitFor(() => tone.log.texts.length === 2, {
      message: 'two sentences synthesized',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(tone.log.texts, [
      'Sure thing.',
      'We are open until five today, and on Saturday until one.',
    ]);
    assert.ok(
      tone.log.startedAt[0]! < log.finishedAt[0]!,
      'first sentence went to TTS while the LLM streamed',
    );
  });

  void it('prepares the reply during the pause and plays it the moment the turn ends', async () => {
    const tone = toneTts();
    const h = harness({ tts: tone.tts });
    h.session.start();
    for (let i = 0; i < 30; i++) {
      h.clock.advance(20);
      h.session.pushAudio(speechFrame(), h.clock.now());
    }
    h.silence(140); // past the pause (100 ms), before the end of turn (200 ms)
    await waitFor(() => tone.log.texts.length === 1, {
      message: 'reply rendered ahead',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    await sleep(50);
    assert.equal(h.s.frames, 0, 'nothing is heard before the turn ends');
    assert.deepEqual(h.seen.transcript, [], 'nothing is said to have been heard yet');
    assert.equal(h.session.state, 'hearing');
    h.silence(80);
    assert.ok(h.s.frames > 0, 'the held reply goes out as the turn ends');
    assert.equal(h.session.state, 'speaking');
    await waitFor(() => h.seen.transcript.length === 2, {
      message: 'transcripts',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.transcript, [
      { role: 'caller', text: 'what time do you open on saturday' },
      { role: 'agent', text: 'On Saturday we open at nine in the morning and close at one.' },
    ]);
    await waitFor(() => h.seen.turn.length === 1, {
      message: 'turn event',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.ok((h.seen.turn[0]!.timings.firstRtpMs ?? 0) >= 200, 'first audio after the turn ended');
    assert.deepEqual(h.seen.prepared, [{ outcome: 'released' }]);
  });

  void it('with prepareAhead off, nothing is requested until the turn ends', async () => {
    const tone = toneTts();
    const h = harness({ tts: tone.tts, prepareAhead: false });
    h.session.start();
    for (let i = 0; i < 30; i++) {
      h.clock.advance(20);
      h.session.pushAudio(speechFrame(), h.clock.now());
    }
    h.silence(140); // past where the pause would be reported
    await sleep(100);
    assert.equal(tone.log.texts.length, 0, 'no reply synthesized during the pause');
    h.silence(80);
    await waitFor(() => h.s.frames > 0, {
      message: 'reply after the end of turn',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.prepared, []);
  });

  void it('drops the prepared reply when the caller goes on after the pause', async () => {
    const { llm, log } = streamingLlm([{ type: 'text', delta: 'Noted.' }]);
    const tone = toneTts();
    const h = harness({
      llm,
      tts: tone.tts,
      stt: createFixedStt({ transcripts: ['i would like', 'i would like to book an appointment'] }),
    });
    h.session.start();
    for (let i = 0; i < 20; i++) {
      h.clock.advance(20);
      h.session.pushAudio(speechFrame(), h.clock.now());
    }
    h.silence(140);
    await waitFor(() => tone.log.texts.length === 1, {
      message: 'first reply prepared',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    h.say(400); // the caller goes on, then really stops
    await waitFor(() => h.seen.transcript.some((t) => t.role === 'agent'), {
      message: 'agent transcript',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.transcript, [
      { role: 'caller', text: 'i would like to book an appointment' },
      { role: 'agent', text: 'Noted.' },
    ]);
    assert.equal(log.calls, 2, 'the reply was prepared again for the whole utterance');
    assert.equal(
      h.s.frames,
      Math.ceil(('Noted.'.length * 40) / 20),
      'only the final reply was heard',
    );
    assert.deepEqual(h.seen.prepared, [{ outcome: 'dropped' }, { outcome: 'released' }]);
  });

  void it('speech over the agent pauses it at the onset and interrupts it once it lasts minSpeechMs', async () => {
    const words = Array.from({ length: 40 }, (_, i) => ({
      type: 'text' as const,
      delta: `Sentence ${i}. `,
    }));
    const { llm, log } = streamingLlm(words, { tokenMs: 10 });
    const tone = toneTts();
    const h = harness({
      llm,
      tts: tone.tts,
      stt: createFixedStt({ transcripts: ['tell me everything', 'stop'] }),
    });
    h.session.start();
    h.say();
    await waitFor(() => h.session.state === 'speaking', {
      message: 'agent speaking',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    h.silence(40);
    const clearsBefore = h.s.clears;
    const speech = (frames: number) => {
      for (let i = 0; i < frames; i++) {
        h.clock.advance(20);
        h.session.pushAudio(speechFrame(), h.clock.now());
      }
    };
    speech(3);
    assert.ok(h.s.paused, 'playback paused at the speech onset');
    assert.equal(h.s.clears, clearsBefore, 'but not cleared yet: the speech may be noise');
    assert.equal(h.seen.bargeIn.length, 0);
    assert.equal(log.aborted, 0, 'the reply goes on being generated while paused');
    speech(11); // 280 ms of speech
    assert.equal(h.seen.bargeIn.length, 0, 'not an interruption before 300 ms of speech');
    speech(1);
    assert.equal(h.s.clears, clearsBefore + 1, 'cleared once the speech lasted minSpeechMs');
    assert.equal(h.seen.bargeIn.length, 1);
    assert.ok(
      h.seen.bargeIn[0]!.stopLatencyMs <= 60,
      `stopped ${h.seen.bargeIn[0]!.stopLatencyMs} ms after onset (at the pause)`,
    );
    assert.equal(h.session.state, 'hearing');
    await waitFor(() => log.aborted === 1, {
      message: 'llm aborted',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.ok(log.finishedAt.length === 0, 'the LLM stream never ran to its end');
    assert.ok(tone.log.aborted >= 1, 'the TTS stream was aborted');
    assert.deepEqual(h.seen.bargeInResumed, []);
  });

  void it('speech too short to interrupt the greeting: it resumes where it paused and the speech is no turn', async () => {
    const { llm, log } = streamingLlm([{ type: 'text', delta: 'Hello there.' }]);
    const h = harness({
      greeting: 'Thanks for calling.', // 19 characters: 760 ms of tone
      llm,
      stt: createFixedStt({ transcripts: ['hello'] }),
    });
    h.session.start();
    await waitFor(() => h.seen.transcript.length === 1, {
      message: 'greeting written',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    const written = h.s.frames;
    let pausedAt = 0;
    for (let i = 0; i < 8; i++) {
      // a 160 ms "hello?"
      h.clock.advance(20);
      h.session.pushAudio(speechFrame(), h.clock.now());
      if (i === 2) pausedAt = h.clock.now();
      assert.equal(h.s.paused, i >= 2, `paused at the onset, not before (frame ${i})`);
    }
    h.silence(200);
    assert.equal(h.s.paused, false, 'resumed once the speech was over');
    assert.equal(h.s.clears, 0, 'nothing of the greeting was dropped');
    assert.deepEqual(h.seen.bargeIn, []);
    assert.equal(h.seen.bargeInResumed.length, 1);
    const { pausedMs } = h.seen.bargeInResumed[0]!;
    // resumed at the detector's pause (100 ms of silence in this harness) or after 200 ms of it
    assert.ok(pausedMs >= 180 && pausedMs <= 320, `paused ${pausedMs} ms`);
    // The greeting had 760 ms to play when the pause stopped it about 60 ms in: it still has
    // about 700 ms from where it resumed.
    const resumedAt = pausedAt + pausedMs;
    h.silence(Math.round((resumedAt + 600 - h.clock.now()) / 20) * 20);
    assert.equal(h.session.state, 'greeting', 'the greeting plays on after the pause');
    h.silence(200);
    assert.equal(h.session.state, 'listening');
    h.silence(400);
    await sleep(50);
    assert.equal(h.s.frames, written, 'nothing else was written');
    assert.equal(log.calls, 0, 'the short speech was not answered');
    assert.deepEqual(
      h.seen.transcript.map((t) => t.role),
      ['agent'],
    );
  });

  void it('a greeting that may not be interrupted plays in full under speech; the caller is answered after it', async () => {
    const { llm, log } = streamingLlm([{ type: 'text', delta: 'Sure.' }]);
    const tone = toneTts();
    const h = harness({
      greeting: 'Thanks for calling, how can I help?',
      llm,
      tts: tone.tts,
      stt: createFixedStt({ transcripts: ['book me in'] }),
      bargeIn: { greetingInterruptible: false },
    });
    h.session.start();
    h.say(600); // over the greeting, from its first frame
    assert.equal(h.s.pauses, 0, 'playback never paused');
    assert.equal(h.s.clears, 0, 'nothing of the greeting was dropped');
    await waitFor(() => h.seen.transcript.length === 3, {
      message: 'greeting, caller and reply transcripts',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    // The caller's words may be recognised before the greeting has been written to its end.
    assert.deepEqual(
      h.seen.transcript.filter((t) => t.role === 'caller'),
      [{ role: 'caller', text: 'book me in' }],
    );
    assert.deepEqual(h.seen.transcript.at(-1), { role: 'agent', text: 'Sure.' });
    assert.deepEqual(tone.log.texts, ['Thanks for calling, how can I help?', 'Sure.']);
    assert.equal(tone.log.aborted, 0, 'the greeting was synthesised to its end');
    assert.equal(log.calls, 1);
    assert.deepEqual(h.seen.bargeIn, []);
    assert.deepEqual(h.seen.bargeInResumed, []);
    assert.equal(
      h.s.frames,
      Math.ceil((35 * 40) / 20) + Math.ceil((5 * 40) / 20),
      'the whole greeting and then the whole reply were written',
    );
  });

  void it('minSpeechMs of 60 interrupts at the onset', async () => {
    const h = harness({ greeting: 'Thanks for calling.', bargeIn: { minSpeechMs: 60 } });
    h.session.start();
    await waitFor(() => h.seen.transcript.length === 1, {
      message: 'greeting written',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    for (let i = 0; i < 3; i++) {
      h.clock.advance(20);
      h.session.pushAudio(speechFrame(), h.clock.now());
    }
    assert.equal(h.s.clears, 1);
    assert.equal(h.seen.bargeIn.length, 1);
    assert.equal(h.session.state, 'hearing');
  });

  void it('says goodbye, then asks to hang up', async () => {
    const h = harness({ stt: createFixedStt({ transcripts: ['goodbye'] }) });
    h.session.start();
    h.say();
    await waitFor(() => h.seen.action.length === 1, {
      message: 'action',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.action[0], { type: 'hangup' });
    assert.equal(h.seen.transcript.at(-1)?.text, 'Thanks for calling. Goodbye!');
    assert.ok(h.s.frames > 20, 'the goodbye was written before the action');
    assert.equal(h.session.state, 'ended');
  });

  void it('transfers to the configured target', async () => {
    const h = harness({ stt: createFixedStt({ transcripts: ['i want to talk to a person'] }) });
    h.session.start();
    h.say();
    await waitFor(() => h.seen.action.length === 1, {
      message: 'action',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.deepEqual(h.seen.action[0], { type: 'transfer', target: '+14155550199' });
  });

  void it('retries a retryable LLM failure once before any text was spoken', async () => {
    const { llm, log } = streamingLlm([{ type: 'text', delta: 'Hello there.' }], {
      failFirst: new ProviderError('stream', 'HTTP 503', { retryable: true }),
    });
    const h = harness({ llm });
    h.session.start();
    h.say();
    await waitFor(() => h.seen.transcript.length === 2, {
      message: 'agent transcript',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.equal(log.calls, 2);
    assert.equal(h.seen.error.length, 1);
    assert.equal(h.seen.transcript[1]!.text, 'Hello there.');
  });

  void it('apologises with the fallback TTS when the TTS fails, then recovers', async () => {
    const broken = toneTts({ failTimes: 1, name: 'remote' });
    const fallback = toneTts({ name: 'espeak' });
    const h = harness({
      tts: broken.tts,
      fallbackTts: fallback.tts,
      stt: createFixedStt({ transcripts: ['what time do you open on saturday', 'goodbye'] }),
    });
    h.session.start();
    h.say();
    await waitFor(() => h.seen.transcript.length === 2, {
      message: 'apology',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.equal(h.seen.error[0]?.stage, 'tts');
    assert.match(h.seen.transcript[1]!.text, /sorry/i);
    assert.equal(fallback.log.texts.length, 1, 'the apology was rendered by the fallback TTS');
    assert.ok(h.s.frames > 0, 'the caller heard audio, not silence');
    h.silence(h.s.frames * 20 + 40);
    assert.equal(h.session.state, 'listening');
    h.say();
    await waitFor(() => h.seen.action.length === 1, {
      message: 'second reply',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.equal(h.seen.transcript.at(-1)?.text, 'Thanks for calling. Goodbye!');
  });

  void it('plays a chime when no TTS works at all', async () => {
    const broken = toneTts({ failTimes: 10 });
    const h = harness({ tts: broken.tts });
    h.session.start();
    h.say();
    await waitFor(() => h.seen.error.length >= 1, {
      message: 'error',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    await waitFor(() => h.s.frames > 0, { message: 'audio', timeoutMs: 3000, intervalMs: 5 });
    assert.ok(h.s.frames >= 25, 'a 0.6 s chime was queued');
  });

  void it('tells the caller and hangs up when speech-to-text keeps failing', async () => {
    const stt: SttProvider = {
      name: 'broken-stt',
      stream() {
        return {
          write: () => undefined,
          end: () => undefined,
          results: (async function* () {
            await sleep(5);
            if (Date.now() > 0)
              throw new ProviderError('broken-stt', 'connection reset', { retryable: true });
            yield { text: '', final: true };
          })(),
        };
      },
      close: () => Promise.resolve(),
    };
    const h = harness({ stt });
    h.session.start();
    h.say();
    await waitFor(() => h.seen.action.length === 1, {
      message: 'hangup',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.equal(
      h.seen.error.filter((e) => e.stage === 'stt').length,
      2,
      'one retry, then give up',
    );
    assert.match(h.seen.transcript.at(-1)!.text, /trouble hearing you/);
    assert.deepEqual(h.seen.action[0], { type: 'hangup' });
  });

  void it('hands DTMF digits to the policy as caller turns', async () => {
    const llm = createScriptedLlm({
      script: {
        fallback: 'Pardon?',
        intents: [{ name: 'billing', examples: ['two'], reply: 'Billing, how can I help?' }],
      },
    });
    const h = harness({ llm });
    h.session.start();
    h.session.pushDtmf('2');
    await waitFor(() => h.seen.transcript.length === 1, {
      message: 'reply',
      timeoutMs: 3000,
      intervalMs: 5,
    });
    assert.equal(h.seen.transcript[0]!.text, 'Billing, how can I help?');
    assert.deepEqual(h.session.context[0], { role: 'caller', text: '2', source: 'dtmf' });
  });
});
