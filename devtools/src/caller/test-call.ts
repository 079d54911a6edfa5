// One scripted test call through an edge: INVITE the number, wait for the greeting, then for each
// step speak a line (espeak-ng) or send DTMF, and listen for the agent's answer. What the caller
// hears is measured at the caller (mouth-to-ear); what the agent heard and said, and its per-stage
// timings, come from the media node's call events.
import { setTimeout as sleep } from 'node:timers/promises';
import { SAMPLE_RATE, dbfs } from '@voicefleet/media-node/audio';
import { PCMU, PacingScheduler, RtpSession } from '@voicefleet/media-node/rtp';
import { SipEndpoint, SipError, sourceAddressFor, type Dialog } from '@voicefleet/media-node/sip';
import { createOffer, parseAnswer, type LocalMedia } from '@voicefleet/media-node/sdp';
import { createEspeakTts, type TtsProvider } from '@voicefleet/media-node/providers';
import { CallRecorder, type CallAudio } from './call-recorder.js';
import { followNodeEvents, type NodeCallEvent } from './node-events.js';
import { AgentListener } from './agent-listener.js';

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
  /** Both sides of the call on one timeline, 8 kHz. */
  audio: CallAudio;
}

const FRAME_MS = 20;
const SPEECH_DBFS = -45;
/** A key press (RFC 4733 event) and the pause before the next key. */
const DTMF_PRESS_MS = 100;
const DTMF_GAP_MS = 60;

/** The caller's side of one call: its RTP, what it heard, and how it ended so far. */
interface CallLeg {
  rtp: RtpSession;
  recorder: CallRecorder;
  listener: AgentListener;
  /** performance.now() when the call started, and ms since then. */
  startedAt: number;
  now: () => number;
}

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
  let ended: 'agent' | 'transfer' | undefined;
  const recorder = new CallRecorder();
  const now = () => performance.now() - started;
  const listener = new AgentListener(now, recorder, () => ended !== undefined);
  rtp.on('audio', (frame) => listener.hear(frame));
  const leg: CallLeg = { rtp, recorder, listener, startedAt: started, now };

  const result: TestCallResult = {
    answered: false,
    setupMs: undefined,
    greetingHeard: false,
    turns: [],
    endedBy: 'failure',
    audio: { you: new Int16Array(0), agent: new Int16Array(0) },
  };
  const say = (line: TranscriptLine) => o.onLine?.(line);
  let dialog: Dialog | undefined;
  let shown = 0;
  /** Prints what the node says the agent heard and said since the last call of this. */
  const showNodeEvents = (callId: string): NodeCallEvent[] => {
    const fresh = events.filter((e) => e.callId === callId).slice(shown);
    shown += fresh.length;
    for (const e of fresh) {
      if (e.type !== 'transcript' || !('role' in e)) continue;
      say({ who: e.role === 'agent' ? 'agent' : 'agent heard', text: e.text });
    }
    return fresh;
  };

  try {
    dialog = await answeredCall(sip, rtp, o, localAddress);
    result.answered = true;
    result.setupMs = Math.round(now());
    dialog.on('bye', () => (ended ??= 'agent'));
    const referred = dialog;
    dialog.onRefer = (referTo) => {
      result.transferTarget = referTo;
      ended = 'transfer';
      // This phone cannot reach the target: it reports the transfer done (RFC 3515's final
      // NOTIFY), as a phone whose call to the target was answered would, and the agent hangs up.
      setImmediate(() => void referred.notifyRefer(200, 'OK', true).catch(() => undefined));
      return 202;
    };
    say({ who: 'call', text: `answered in ${result.setupMs} ms` });
    result.greetingHeard = (await listener.awaitReply(0, o.replyTimeoutMs)) !== undefined;
    showNodeEvents(dialog.callId);

    for (const step of o.steps) {
      if (ended !== undefined) break;
      say({ who: 'you', text: 'say' in step ? step.say : `(DTMF ${step.dtmf})` });
      const endOfInput =
        'say' in step ? await speak(leg, tts, step.say) : await pressKeys(leg, step.dtmf);
      const mouthToEar = await listener.awaitReply(endOfInput, o.replyTimeoutMs);
      const turn = showNodeEvents(dialog.callId)
        .filter((e) => e.type === 'turn')
        .at(-1);
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
    showNodeEvents(dialog.callId);
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
    listener.close();
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

/** INVITEs the number through the edge and points the RTP session at the agent's answer. */
async function answeredCall(
  sip: SipEndpoint,
  rtp: RtpSession,
  o: TestCallOptions,
  localAddress: string,
): Promise<Dialog> {
  const local: LocalMedia = {
    address: localAddress,
    port: rtp.localPort,
    codecs: ['PCMU', 'PCMA'],
    sessionId: Date.now(),
    sessionVersion: 1,
  };
  const dialog = await sip.invite({
    target: `sip:${o.number}@${o.edgeUri.replace(/^sip:/, '')}`,
    from: `"voicefleet call" <sip:caller@${localAddress.includes(':') ? `[${localAddress}]` : localAddress}>`,
    sdp: createOffer(local),
  });
  const answer = parseAnswer(dialog.remoteSdp ?? '', local);
  if (!answer.ok) throw new Error(`the agent answered without usable audio: ${answer.message}`);
  const { media } = answer;
  if (media.remote === undefined) throw new Error('the agent answered with no RTP address');
  rtp.setCodec(media.codec, media.telephoneEventPayloadType);
  rtp.setRemote(media.remote);
  rtp.setDirection(media.direction);
  return dialog;
}

/** Speaks a line (espeak-ng, paced RTP) and returns when your voice stopped (ms since the call started). */
async function speak(leg: CallLeg, tts: TtsProvider, text: string): Promise<number> {
  const frames: Int16Array[] = [];
  for await (const chunk of tts.synthesize(text, AbortSignal.timeout(10_000))) frames.push(chunk);
  const pcm = concat(frames);
  const queuedAt = leg.now();
  // the frames go out paced from the next scheduler tick: time them from the first one sent
  let firstSentAt: number | undefined;
  leg.rtp.onFirstFrameSent((sentAtMs) => (firstSentAt = sentAtMs)); // performance.now() scale
  let lastVoiced = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    const frame = pcm.slice(i, i + 160);
    leg.rtp.write(frame);
    leg.recorder.add('you', frame, queuedAt + (i / 160) * FRAME_MS);
    if (dbfs(frame) > SPEECH_DBFS) lastVoiced = i / 160 + 1;
  }
  while (leg.rtp.queuedFrames > 0) await sleep(5);
  const at = firstSentAt === undefined ? queuedAt : firstSentAt - leg.startedAt;
  // the end of speech is the last voiced frame, not the synthesizer's trailing silence
  return at + lastVoiced * FRAME_MS;
}

/**
 * Presses the keys one after another and returns when the last one went out. The agent answers a
 * key at once, so listening starts there: whatever the agent says from then on is its answer to
 * that key, even while the key is still held, and an answer to an earlier key ends there.
 */
async function pressKeys(leg: CallLeg, digits: string): Promise<number> {
  let lastPressedAt = leg.now();
  for (const [i, digit] of [...digits].entries()) {
    if (i > 0) await sleep(DTMF_PRESS_MS + DTMF_GAP_MS);
    if (!leg.rtp.sendDtmf(digit, DTMF_PRESS_MS))
      throw new Error('the agent did not accept RFC 4733 key presses (telephone-event)');
    lastPressedAt = leg.now();
  }
  leg.listener.cut(lastPressedAt);
  return lastPressedAt;
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
