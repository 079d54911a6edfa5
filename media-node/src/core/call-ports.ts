/**
 * The narrow views the call core takes of its parts: the SIP signaling and dialog, the RTP
 * session and the agent session. `adapters/` maps the real `sip/`, `rtp-thread/` (with `sdp/`) and
 * `agent/` modules onto them, so the call's lifecycle can be read (and tested) on its own.
 */
import type { TurnTimings } from './call-events.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Where the agent's speech goes: the call's RTP playout queue. */
export interface AudioSinkPort {
  write(frame: Int16Array): void;
  /** Drops the queued frames; returns when playback stopped, if before now (see AudioSink). */
  clear(): number | void;
  /** `callback` fires when the next frame written actually leaves as RTP (performance.now()). */
  onFirstFrameSent(callback: (sentAtMs: number) => void): void;
}

export interface RtpStats {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  /** RTCP round-trip time; absent until the far end reports on our stream. */
  rttMs?: number;
}

export interface MediaPort {
  readonly sink: AudioSinkPort;
  /**
   * The caller's frames, each with the time it was played out of the jitter buffer and, where the
   * RTP thread classified it for barge-in, its onset verdict (TurnDetector.push).
   */
  onAudio(listener: (frame: Int16Array, atMs: number, speech: boolean | undefined) => void): void;
  onDtmf(listener: (digit: string) => void): void;
  /** Our direction towards the far end (hold: `sendonly`/`inactive` from the far end's offer). */
  setDirection(direction: MediaDirection): void;
  /** No RTP from the far end for the media timeout while sendrecv (not while on hold). */
  onTimeout(listener: () => void): void;
  /** Frames queued for playout that have not left yet. */
  queuedFrames(): number;
  stats(): RtpStats;
  close(): void;
}

export type AgentAction = { type: 'hangup' } | { type: 'transfer'; target?: string };

export interface AgentPort {
  start(): void;
  pushAudio(frame: Int16Array, atMs: number, speech?: boolean): void;
  pushDtmf(digit: string): void;
  stop(): void;
  onTranscript(listener: (role: 'caller' | 'agent', text: string) => void): void;
  onTurn(listener: (timings: TurnTimings, endOfSpeechAtMs: number) => void): void;
  onAction(listener: (action: AgentAction) => void): void;
  onBargeIn(listener: (stopLatencyMs: number | undefined) => void): void;
  /** A reply prepared during a pause was released at the end of turn or dropped unheard. */
  onPrepared(listener: (outcome: 'released' | 'dropped') => void): void;
  onProviderError(listener: (provider: string) => void): void;
}

/** A re-INVITE's offer and what we answer: an SDP answer, or a failure status (488). */
export type ReinviteAnswer = { sdp: string; direction: MediaDirection } | { status: 488 };

export interface DialogPort {
  readonly callId: string;
  bye(): Promise<void>;
  /** REFER the far end to `target` (blind transfer); resolves when it is accepted. */
  refer(target: string): Promise<void>;
  onBye(listener: () => void): void;
  onReinvite(handler: (offerSdp: string) => ReinviteAnswer): void;
}

/**
 * An INVITE the RTP thread answered on arrival (rtp-thread/worker/answer-on-arrival.ts): 100, 180
 * and 200 left.
 */
export interface AnsweredOnArrival {
  /** performance.now() when the INVITE arrived, and how long its 200 took. */
  readonly receivedAt: number;
  readonly setupMs: number;
  /** The media the answer opened, for MediaFactory.takeOver. */
  readonly media: unknown;
}

/**
 * Admission for the calls answered before the node sees them (the RTP thread's AdmissionBoard):
 * the node publishes whether it takes calls, its capacity and the calls it counts; `pending` is
 * the calls answered there that it has not counted yet.
 */
export interface ArrivalAdmission {
  publish(state: { accepting: boolean; maxCalls: number; activeCalls: number }): void;
  readonly pending: number;
}

/** An INVITE the node received, before it is answered (or answered on arrival: `answered`). */
export interface IncomingInvite {
  readonly callId: string;
  readonly offerSdp: string;
  /**
   * Set when the 200 left already: the call was admitted and its media opened; accept() with the
   * taken-over media's answer takes it over, and reject() hangs it up.
   */
  readonly answered?: AnsweredOnArrival;
  /** 180 Ringing. */
  progress(): void;
  /** 200 OK with `answerSdp`; resolves with the confirmed dialog when the ACK arrives. */
  accept(answerSdp: string): Promise<DialogPort>;
  reject(status: number, headers?: Record<string, string>): void;
  /** The caller gave up before we answered (CANCEL); the endpoint already answered 487. */
  onCancel(listener: () => void): void;
}

export interface OutgoingCallResult {
  dialog: DialogPort;
  answerSdp: string;
}

export interface SignalingPort {
  onInvite(handler: (invite: IncomingInvite) => void): void;
  /** Status for OPTIONS probes. */
  onOptions(handler: () => 200 | 503): void;
  /** UAC: INVITE `target` through the edge with `offerSdp`; resolves when answered (and ACKed). */
  invite(target: string, offerSdp: string, signal: AbortSignal): Promise<OutgoingCallResult>;
  close(): Promise<void>;
}

/** A call's media before the agent exists: the negotiated RTP session and our SDP answer. */
export interface NegotiatedMedia {
  answerSdp: string;
  media: MediaPort;
  reinviteAnswer(offerSdp: string): ReinviteAnswer;
}

export interface MediaFactory {
  /** Negotiates `offerSdp` and opens an RTP session; `{status: 488}` when nothing is acceptable. */
  answer(offerSdp: string): Promise<NegotiatedMedia | { status: 488 }>;
  /**
   * Takes over the media of a call answered on arrival (AnsweredOnArrival.media, for `offerSdp`);
   * undefined when it is not this factory's.
   */
  takeOver?(media: unknown, offerSdp: string): NegotiatedMedia | undefined;
  /** UAC: opens an RTP session and returns our offer; `complete` applies the far end's answer. */
  offer(): Promise<{
    offerSdp: string;
    complete(answerSdp: string): NegotiatedMedia | { status: 488 };
    abort(): void;
  }>;
}

export interface AgentFactory {
  create(callId: string, sink: MediaPort['sink'], media: MediaPort): AgentPort;
}
