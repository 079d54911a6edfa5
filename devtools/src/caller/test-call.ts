// One scripted test call through an edge: INVITE the number, wait for the greeting, then for each
// step speak a line (espeak-ng) or send DTMF, and listen for the agent's answer. What the caller
// hears is measured at the caller (mouth-to-ear); what the agent heard and said, and its per-stage
// timings, come from the media node's call events.
import { setTimeout as sleep } from 'node:timers/promises';
import { SAMPLE_RATE, dbfs } from '@voicefleet/media-node/audio';
import { PCMU, PacingScheduler, RtpSession } from '@voicefleet/media-node/rtp';
import { SipEndpoint, SipError, sourceAddressFor, type Dialog } from '@voicefleet/media-node/sip';
import { createOffer, parseAnswer, type LocalMedia } from '@voicefleet/media-node/sdp';
import { createEspeakTts } from '@voicefleet/media-node/providers';
import { CallRecorder } from './call-recorder.js';
import { followNodeEvents, type NodeCallEvent } from './node-events.js';
import { UtteranceDetector } from './utterance-detector.js';

export type CallStep = { say: string } | { dtmf: string };

export interface TestCallOptions {
  /** The edge, e.g. `sip:127.0.0.1:5060`. */
  edgeUri: string;
  /**
   * The caller's own address for SIP and RTP (bound and advertised); default: the address the
   * route to the edge leaves from (127.0.0.1 for a loopback edge).
   */
  localAddress?: string;
  number: string;
  steps: readonly CallStep[];
  /** Media nodes' HTTP URLs whose call events to follow. */
  nodeUrls: readonly string[];
  /** Longest wait for an agent answer (ms). */
  replyTimeoutMs: number;
  onLine?: (line: TranscriptLine) => void;
}

export interface TranscriptLine {
  who: 'you' | 'agent' | 'agent heard' | 'call';
  text: string;
}

export interface TurnResult {
  step: CallStep;
  /** End of your speech (or last digit) -> first agent audio at your ear; undefined: no answer. */
  mouthToEarMs: number | undefined;
  /** The node's own timings for this turn, from end of caller speech. */
  stages: Record<string, number | undefined> | undefined;
}

export interface TestCallResult {
  answered: boolean;
  setupMs: number | undefined;
  greetingHeard: boolean;
  turns: TurnResult[];
  endedBy: 'you' | 'agent' | 'transfer' | 'failure';
  failure?: string;
  transferTarget?: string;
  /** Both sides of the call on one timeline, 8 kHz mono. */
  audio: Int16Array;
}

const FRAME_MS = 20;
const SPEECH_DBFS = -45;

/** `sip:host:port` (or `sip:user@host:port`) -> host and port; port 5060 when absent. */
export function edgeHostPort(edgeUri: string): { host: string; port: number } {
  const m = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;>]+)(?::(\d+))?/.exec(edgeUri);
  if (m === null) throw new Error(`not a sip: URI: ${edgeUri}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] === undefined ? 5060 : Number(m[2]) };
}

export async function placeTestCall(o: TestCallOptions): Promise<TestCallResult> {
  const edge = edgeHostPort(o.edgeUri);
  const localAddress = o.localAddress ?? (await sourceAddressFor(edge.host, edge.port));
  const stopEvents = new AbortController();
  const events: NodeCallEvent[] = [];
  const readers = followNodeEvents(o.nodeUrls, (e) => events.push(e), stopEvents.signal);
  const scheduler = new PacingScheduler();
  const rtp = await RtpSession.open({
    host: localAddress,
    scheduler,
    codec: PCMU,
    telephoneEventPayloadType: 101,
    mediaTimeoutMs: 0,
  });
  const sip = await SipEndpoint.listen({
    host: localAddress,
    port: 0,
    transports: ['udp'],
    userAgent: 'voicefleet-call',
  });
  const tts = createEspeakTts();
  const started = performance.now();
  const recorder = new CallRecorder();
  const detector = new UtteranceDetector();
  const utterances: { start: number; end?: number }[] = [];
  const now = () => performance.now() - started;
  const track = (at: number) => {
    const e = detector.tick(at);
    if (e?.type === 'end') utterances.at(-1)!.end = e.atMs;
  };
  rtp.on('audio', (frame) => {
    recorder.add(frame, now());
    const e = detector.push(frame, now());
    if (e?.type === 'start') utterances.push({ start: e.atMs });
    if (e?.type === 'end') utterances.at(-1)!.end = e.atMs;
  });
  const ticker = setInterval(() => track(now()), FRAME_MS);

  const result: TestCallResult = {
    answered: false,
    setupMs: undefined,
    greetingHeard: false,
    turns: [],
    endedBy: 'failure',
    audio: new Int16Array(0),
  };
  const say = (line: TranscriptLine) => o.onLine?.(line);
  let dialog: Dialog | undefined;
  let ended: 'agent' | 'transfer' | undefined;

  /** Waits for the agent's next utterance after `fromMs` to start and then to end. */
  const awaitReply = async (fromMs: number): Promise<number | undefined> => {
    const deadline = fromMs + o.replyTimeoutMs;
    let reply: { start: number; end?: number } | undefined;
    while (now() < deadline && ended === undefined) {
      reply ??= utterances.find((u) => u.start >= fromMs);
      if (reply?.end !== undefined) break;
      await sleep(FRAME_MS);
    }
    // the agent's hang-up or transfer ends the call right after its last words
    reply ??= utterances.find((u) => u.start >= fromMs);
    return reply === undefined ? undefined : reply.start - fromMs;
  };

  const showNodeEvents = (callId: string, from: number) => {
    const mine = events.filter((e) => e.callId === callId).slice(from);
    for (const e of mine) {
      if (e.type !== 'transcript' || !('role' in e)) continue;
      say({ who: e.role === 'agent' ? 'agent' : 'agent heard', text: e.text });
    }
    return mine;
  };

  try {
    const host = o.edgeUri.replace(/^sip:/, '');
    const local: LocalMedia = {
      address: localAddress,
      port: rtp.localPort,
      codecs: ['PCMU', 'PCMA'],
      sessionId: Date.now(),
      sessionVersion: 1,
    };
    dialog = await sip.invite({
      target: `sip:${o.number}@${host}`,
      from: `"voicefleet call" <sip:caller@${localAddress.includes(':') ? `[${localAddress}]` : localAddress}>`,
      sdp: createOffer(local),
    });
    result.answered = true;
    result.setupMs = Math.round(now());
    const answer = parseAnswer(dialog.remoteSdp ?? '', local);
    if (!answer.ok) throw new Error(`the agent answered without usable audio: ${answer.message}`);
    const { media } = answer;
    if (media.remote === undefined) throw new Error('the agent answered with no RTP address');
    rtp.setCodec(media.codec, media.telephoneEventPayloadType);
    rtp.setRemote(media.remote);
    rtp.setDirection(media.direction);
    dialog.on('bye', () => (ended ??= 'agent'));
    dialog.onRefer = (referTo) => {
      result.transferTarget = referTo;
      ended = 'transfer';
      return 202;
    };
    say({ who: 'call', text: `answered in ${result.setupMs} ms` });

    let seen = 0;
    const greeting = await awaitReply(0);
    result.greetingHeard = greeting !== undefined;
    seen = showNodeEvents(dialog.callId, 0).length;

    for (const step of o.steps) {
      if (ended !== undefined) break;
      let endOfInput: number;
      if ('say' in step) {
        say({ who: 'you', text: step.say });
        const frames: Int16Array[] = [];
        for await (const chunk of tts.synthesize(step.say, AbortSignal.timeout(10_000)))
          frames.push(chunk);
        const pcm = concat(frames);
        const queuedAt = now();
        // the frames go out paced from the next scheduler tick: time them from the first one sent
        let firstSentAt: number | undefined;
        rtp.onFirstFrameSent((sentAtMs) => (firstSentAt = sentAtMs)); // performance.now() scale
        let lastVoiced = 0;
        for (let i = 0; i + 160 <= pcm.length; i += 160) {
          const frame = pcm.slice(i, i + 160);
          rtp.write(frame);
          recorder.add(frame, queuedAt + (i / 160) * FRAME_MS);
          if (dbfs(frame) > SPEECH_DBFS) lastVoiced = i / 160 + 1;
        }
        while (rtp.queuedFrames > 0) await sleep(5);
        const at = firstSentAt === undefined ? queuedAt : firstSentAt - started;
        // the end of speech is the last voiced frame, not the synthesizer's trailing silence
        endOfInput = at + lastVoiced * FRAME_MS;
      } else {
        say({ who: 'you', text: `(DTMF ${step.dtmf})` });
        for (const digit of step.dtmf) {
          rtp.sendDtmf(digit, 100);
          await sleep(200);
        }
        endOfInput = now();
      }
      const mouthToEar = await awaitReply(endOfInput);
      const fresh = showNodeEvents(dialog.callId, seen);
      seen += fresh.length;
      const turn = fresh.filter((e) => e.type === 'turn').at(-1);
      result.turns.push({
        step,
        mouthToEarMs: mouthToEar === undefined ? undefined : Math.round(mouthToEar),
        stages: turn && 'timings' in turn ? turn.timings : undefined,
      });
      if (mouthToEar === undefined && ended === undefined) {
        throw new Error(`no answer from the agent within ${o.replyTimeoutMs} ms`);
      }
    }
    await sleep(300);
    seen += showNodeEvents(dialog.callId, seen).length;
    result.endedBy = ended ?? 'you';
    if (ended === undefined) await dialog.bye();
  } catch (error) {
    result.endedBy = 'failure';
    result.failure =
      error instanceof SipError
        ? `the call failed: ${error.status} ${error.message}`
        : (error as Error).message;
    if (dialog !== undefined && ended === undefined) await dialog.bye().catch(() => undefined);
  } finally {
    clearInterval(ticker);
    stopEvents.abort();
    await Promise.allSettled(readers);
    rtp.close();
    scheduler.stop();
    await sip.close();
    await tts.close();
  }
  result.audio = recorder.render();
  return result;
}

function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const CALL_SAMPLE_RATE = SAMPLE_RATE;
