/**
 * The narrow views the call core takes of its parts: the SIP signaling and dialog, the RTP
 * session and the agent session. `adapters/` maps the real `sip/`, `rtp-thread/` (with `sdp/`) and
 * `agent/` modules onto them, so the call's lifecycle can be read (and tested) on its own.
 */
import type { TransferOutcome, TurnTimings } from './call-events.js';
import type { AgentTracing } from '../agent/types.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Where the agent's speech goes: the call's RTP playout queue. */
export interface AudioSinkPort {
  write(frame: Int16Array): void;
  /** Drops the queued frames; returns when playback stopped, if before now (see AudioSink). */
  clear(): number | void;
  /** `callback` fires when the next frame written actually leaves as RTP (performance.now()). */
  onFirstFrameSent(callback: (sentAtMs: number) => void): void;
  /** Stops playback and keeps the queue; returns when it stopped, if before now (see AudioSink). */
  pause(): number | void;
  /** Playback goes on from where `pause` stopped it. */
  resume(): void;
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
  /** Speaks `text` as the agent's own line, outside a turn. */
  say(text: string): void;
  stop(): void;
  onTranscript(listener: (role: 'caller' | 'agent', text: string) => void): void;
  onTurn(listener: (timings: TurnTimings, endOfSpeechAtMs: number) => void): void;
  onAction(listener: (action: AgentAction) => void): void;
  onBargeIn(listener: (stopLatencyMs: number | undefined) => void): void;
  /** Caller speech paused the agent but was too short to interrupt it: playback resumed. */
  onBargeInResumed(listener: (pausedMs: number) => void): void;
  /** A reply prepared during a pause was released at the end of turn or dropped unheard. */
  onPrepared(listener: (outcome: 'released' | 'dropped') => void): void;
  onProviderError(listener: (provider: string) => void): void;
}

/**
 * What we answer to an offer of the far end: an SDP answer and our direction, or a failure status
 * (488: nothing acceptable; 491: an offer of ours is still waiting for its answer).
 */
export type ReinviteAnswer = { sdp: string; direction: MediaDirection } | { status: 488 | 491 };

/** Our offer in a 2xx, whose answer comes with the ACK (or does not: `answerSdp` undefined). */
export interface MediaReoffer {
  offerSdp: string;
  complete(answerSdp: string | undefined): ReinviteAnswer;
}

export interface TransferResult {
  outcome: TransferOutcome;
  sipStatus?: number;
}

/** Why a dialog ended other than by our own BYE. */
export type DialogEnd = 'remote-bye' | 'no-ack' | 'session-expired';

export interface DialogPort {
  readonly callId: string;
  bye(): Promise<void>;
  /**
   * REFERs the far end to `target` (blind transfer) and follows it to its outcome: the REFER
   * refused (`rejected`), the final NOTIFY (`completed` on 2xx, else `failed`), or none within
   * `timeoutMs` (`timeout`). `sipStatus`: the status that decided it.
   */
  refer(target: string, timeoutMs: number): Promise<TransferResult>;
  /**
   * The dialog ended from the far end or by itself: a BYE (also one before the ACK), no ACK by
   * Timer H (BYE sent), or a session timer that ran out (BYE sent).
   */
  onEnded(listener: (reason: DialogEnd) => void): void;
  /** A re-INVITE or UPDATE with an offer. */
  onReinvite(handler: (offerSdp: string) => ReinviteAnswer): void;
  /** A re-INVITE without an offer: the handler makes ours (the answer comes with the ACK). */
  onOfferRequest(handler: () => MediaReoffer): void;
}

/** A 200 sent: the dialog, and the ACK to come. */
export interface AcceptedInvite {
  dialog: DialogPort;
  /**
   * Resolves when the ACK arrives, with the answer it carries (to an offer of ours: a delayed
   * offer); rejects when no ACK will come (the caller hung up first, or Timer H).
   */
  acked: Promise<{ answerSdp: string | undefined }>;
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
  /** The SDP offer; undefined for an INVITE without one (a delayed offer: we offer in the 200). */
  readonly offerSdp: string | undefined;
  /**
   * Set when the 200 left already: the call was admitted and its media opened; accept() with the
   * taken-over media's answer takes it over, and reject() hangs it up.
   */
  readonly answered?: AnsweredOnArrival;
  /** 180 Ringing. */
  progress(): void;
  /** 200 OK with `sdp` (our answer, or our offer to a delayed offer). */
  accept(sdp: string): AcceptedInvite;
  reject(status: number, headers?: Record<string, string>): void;
  /** The caller gave up before we answered (CANCEL); the endpoint already answered 487. */
  onCancel(listener: () => void): void;
}

export interface OutgoingCallOptions {
  /** Cancels the call (CANCEL once the far end sent a provisional response). */
  signal: AbortSignal;
  /** The Call-ID, chosen before the INVITE leaves so the caller can name the call at once. */
  callId: string;
  /** The far end's provisional responses (180 ringing, 183 session progress). */
  onProgress?: (status: number) => void;
}

export interface OutgoingCallResult {
  dialog: DialogPort;
  answerSdp: string;
}

/** What the SIP endpoint holds that is not finished (see SipEndpoint.inProgress). */
export interface SignalingInProgress {
  dialogs: number;
  serverTransactions: number;
  clientTransactions: number;
}

export interface SignalingPort {
  /** Dialogs and transactions not finished: a drain waits for them. */
  inProgress(): SignalingInProgress;
  onInvite(handler: (invite: IncomingInvite) => void): void;
  /** Status for OPTIONS probes. */
  onOptions(handler: () => 200 | 503): void;
  /**
   * UAC: INVITE `target` through the edge with `offerSdp`; resolves when answered (and ACKed),
   * rejects otherwise with an error whose numeric `status` is the final SIP status, when one came.
   */
  invite(
    target: string,
    offerSdp: string,
    options: OutgoingCallOptions,
  ): Promise<OutgoingCallResult>;
  close(): Promise<void>;
}

/** A call's media before the agent exists: the negotiated RTP session and our SDP answer. */
export interface NegotiatedMedia {
  answerSdp: string;
  media: MediaPort;
  reinviteAnswer(offerSdp: string): ReinviteAnswer;
  /** Our offer for a re-INVITE without one. */
  reoffer(): MediaReoffer;
}

/** Our offer and the RTP session it describes, until the answer completes it. */
export interface MediaOffer {
  offerSdp: string;
  media: MediaPort;
  complete(answerSdp: string): NegotiatedMedia | { status: 488 };
  abort(): void;
}

export interface MediaFactory {
  /** Negotiates `offerSdp` and opens an RTP session; `{status: 488}` when nothing is acceptable. */
  answer(offerSdp: string): Promise<NegotiatedMedia | { status: 488 }>;
  /**
   * Takes over the media of a call answered on arrival (AnsweredOnArrival.media, for `offerSdp`);
   * undefined when it is not this factory's.
   */
  takeOver?(media: unknown, offerSdp: string): NegotiatedMedia | undefined;
  /**
   * Opens an RTP session and returns our offer (an outbound call's INVITE, or the 200 to an
   * INVITE without an offer); `complete` applies the far end's answer.
   */
  offer(): Promise<MediaOffer>;
}

export interface AgentFactory {
  /** `tracing`: the call's trace, which the agent's turns and provider requests join. */
  create(
    callId: string,
    sink: MediaPort['sink'],
    media: MediaPort,
    tracing?: AgentTracing,
  ): AgentPort;
}
