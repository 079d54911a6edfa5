// The messages between the event loop (client/) and the RTP thread (worker/): what the event
// loop asks (RtpThreadRequest), what the thread tells it (RtpThreadEvent), and the options a
// session is opened with. Audio does not cross as messages but in shared memory
// (session-memory.ts); times are on the event loop's performance.now() clock.
import { codecByName, withPayloadType, type Codec } from '../rtp/codec.js';
import type { JitterBufferOptions } from '../rtp/jitter-buffer.js';
import type { PortRange } from '../rtp/port-pair.js';
import type { MediaDirection, RemoteAddress } from '../rtp/session.js';
import type { AnswerOnArrivalRules } from './worker/answer-on-arrival.js';

/** A codec as it crosses threads: its name and negotiated payload type. */
export interface CodecRef {
  name: string;
  payloadType: number;
}

/** The codec a reference names, or undefined when this build does not support it. */
export function codecOf(ref: CodecRef): Codec | undefined {
  const codec = codecByName(ref.name);
  return codec && withPayloadType(codec, ref.payloadType);
}

/** What opens a session on the thread (RtpSessionOptions without the in-thread parts). */
export interface ThreadSessionOptions {
  codec: CodecRef;
  telephoneEventPayloadType?: number;
  host?: string;
  portRange?: PortRange;
  remote?: RemoteAddress;
  symmetric?: boolean;
  silence?: 'suppress' | 'send';
  mediaTimeoutMs?: number;
  jitter?: JitterBufferOptions;
  rtcpIntervalMs?: number;
  /** The session's SSRC; random when absent. */
  ssrc?: number;
  /** Our direction from the start (default sendrecv). */
  direction?: MediaDirection;
  /**
   * Watch the caller's audio with the agent's onset classifier (vad/onset.ts) and hold the agent's
   * speech back from the frame that completes a run of this many speech frames until the event
   * loop has heard that frame: barge-in stops playback on the thread, however busy the event loop
   * is (see CONTROL_HOLD).
   */
  bargeInOnsetFrames?: number;
}

/** What the event loop sends to turn answering on arrival on (worker/sip-front.ts). */
export interface AnswerOnArrivalConfig extends AnswerOnArrivalRules {
  /** The AdmissionBoard's memory. */
  board: SharedArrayBuffer;
  /** Where the calls' RTP sockets bind. */
  rtpHost: string;
  portRange: PortRange;
  /** The calls' session options but what each negotiation decides. */
  session: Omit<
    ThreadSessionOptions,
    'codec' | 'telephoneEventPayloadType' | 'remote' | 'direction' | 'ssrc' | 'host' | 'portRange'
  >;
}

/** The session of a call answered on arrival, as it crosses to the event loop. */
export interface AnsweredSession {
  /** Negative: ids made on the thread never meet the event loop's. */
  id: number;
  buffer: SharedArrayBuffer;
  port: number;
  address: string;
  ssrc: number;
}

/** What the negotiation decided for the session of a call answered on arrival. */
export type AnsweredMediaOptions = Pick<
  ThreadSessionOptions,
  'codec' | 'telephoneEventPayloadType' | 'remote'
> & { direction: MediaDirection };

/** A call answered on arrival: the INVITE, the answer that left and the session it opened. */
export interface AnsweredOnArrivalEvent {
  data: Uint8Array;
  address: string;
  port: number;
  toTag: string;
  /** 100, 180 and the 200, in the order they left. */
  responses: Uint8Array[];
  sdpSessionId: number;
  session: AnsweredSession;
  media: AnsweredMediaOptions;
  receivedAt: number;
  answeredAt: number;
}

export type RtpThreadRequest =
  /** Opens a session; on the pair a 'spare' request bound (`spare`: its req), without a reply. */
  | {
      op: 'open';
      id: number;
      buffer: SharedArrayBuffer;
      options: ThreadSessionOptions;
      spare?: number;
    }
  /** Binds a socket pair ahead of the call that will take it ('spare' reply). */
  | { op: 'spare'; req: number; host: string; portRange: PortRange }
  | { op: 'codec'; id: number; codec: CodecRef; telephoneEventPayloadType?: number }
  | { op: 'remote'; id: number; remote: RemoteAddress }
  | { op: 'direction'; id: number; direction: MediaDirection }
  | { op: 'dtmf'; id: number; digit: string; durationMs: number }
  | { op: 'close'; id: number }
  | { op: 'pacing'; req: number; reset: boolean }
  | { op: 'metrics'; req: number }
  /** Binds the node's SIP UDP socket on the thread (worker/sip-front.ts). */
  | { op: 'sip-listen'; req: number; host: string; port: number }
  /** `seen`: INVITE transactions the endpoint holds; never answered here (their copies neither). */
  | { op: 'sip-answer'; config: AnswerOnArrivalConfig; seen: string[] }
  | { op: 'sip-send'; data: Uint8Array; address: string; port: number }
  | { op: 'sip-close'; req: number };

export interface PacingReport {
  pacing: { samples: number; p50: number; p99: number; max: number };
  pacedSources: number;
}

export type RtpThreadEvent =
  /** Started; `nice` is the thread's scheduling priority (lower runs first), `tid` its id. */
  | { type: 'ready'; nice: number; tid?: number }
  | { type: 'opened'; id: number; port: number; address: string; ssrc: number }
  | { type: 'open-failed'; id: number; name: string; message: string }
  | { type: 'spare'; req: number; port: number; address: string }
  | { type: 'spare-failed'; req: number; name: string; message: string }
  /** These sessions have inbound frames waiting, or outbound ring room for frames that wait. */
  | { type: 'frames'; ids: number[] }
  | { type: 'sent'; id: number; mark: number; atMs: number }
  | { type: 'dtmf'; id: number; digit: string }
  | { type: 'timeout'; id: number }
  | { type: 'latched'; id: number; remote: RemoteAddress }
  | { type: 'socket-error'; id: number; message: string }
  | ({ type: 'pacing'; req: number } & PacingReport)
  | { type: 'metrics'; req: number; text: string }
  | { type: 'sip-listening'; req: number; port: number }
  | { type: 'sip-listen-failed'; req: number; name: string; message: string }
  | { type: 'sip-closed'; req: number }
  /** A datagram for the event loop's SIP endpoint. */
  | { type: 'sip'; data: Uint8Array; address: string; port: number }
  /** An INVITE answered on arrival, its answer and the session it opened (worker/sip-front.ts). */
  | ({ type: 'answered-on-arrival' } & AnsweredOnArrivalEvent);

/** The events that concern one session, for the session on the event loop's side. */
export type SessionEvent = Extract<
  RtpThreadEvent,
  { type: 'sent' | 'dtmf' | 'timeout' | 'latched' | 'socket-error' }
>;

/** What the event loop hands the thread at start. */
export interface RtpThreadData {
  /** The event loop's performance.timeOrigin: times are reported on its clock. */
  timeOrigin: number;
  /** The nice value to ask for (a higher priority needs CAP_SYS_NICE). */
  nice: number;
}
