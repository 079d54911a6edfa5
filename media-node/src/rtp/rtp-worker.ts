// The RTP thread: every call's RtpSession and the one pacing scheduler run here, on a worker
// thread with a heap of its own, so the event loop's garbage collection (the agent's turns, gRPC
// streams, SIP) never holds a packet back. Audio crosses in shared memory (session-memory.ts);
// control and the rare events (DTMF, timeouts, "first frame sent") cross as messages. Times sent
// back are on the event loop's performance.now() clock. The thread also watches each caller for a
// speech onset and holds the agent's audio there until the agent has heard it (barge-in).

import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { Gauge, Histogram, Registry } from 'prom-client';
import { FRAME_SAMPLES } from '../audio/format.js';
import { createOnsetClassifier } from '../vad/onset.js';
import type { FrameClassifier } from '../vad/types.js';
import { loadWebRtcVad, type WebRtcVadFactory } from '../vad/webrtc-vad.js';
import { codecByName, withPayloadType, type Codec } from './codec.js';
import type { JitterBufferOptions } from './jitter-buffer.js';
import { bindPortPair, type BoundPair, type PortRange } from './port-pair.js';
import { PACING_BUCKETS_MS, PacingScheduler, type PacedSource, type Pacer } from './scheduler.js';
import {
  CONTROL_CLEAR,
  CONTROL_HOLD,
  CONTROL_WAITING,
  MAX_HOLD,
  OUTBOUND_SLOTS,
  STAT_INBOUND_DROPPED,
  STAT_JITTER_MS,
  SessionMemory,
  inboundTag,
  type FrameKind,
} from './session-memory.js';
import { RtpSession, type MediaDirection, type RemoteAddress } from './session.js';
import {
  SipFront,
  type AnsweredMediaOptions,
  type AnsweredSession,
  type SipAnswerConfig,
} from './sip-front.js';

/** A codec as it crosses threads: its name and negotiated payload type. */
export interface CodecRef {
  name: string;
  payloadType: number;
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
  /** Binds the node's SIP UDP socket on the thread (sip/immediate-answer.ts). */
  | { op: 'sip-listen'; req: number; host: string; port: number }
  | { op: 'sip-answer'; config: SipAnswerConfig }
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
  /** An INVITE answered on arrival, its answer and the session it opened (sip-front.ts). */
  | {
      type: 'sip-answered';
      data: Uint8Array;
      address: string;
      port: number;
      toTag: string;
      responses: Uint8Array[];
      sdpSessionId: number;
      session: AnsweredSession;
      media: AnsweredMediaOptions;
      receivedAt: number;
      answeredAt: number;
    };

/** What the event loop hands the thread at start. */
export interface RtpThreadData {
  /** The event loop's performance.timeOrigin: times are reported on its clock. */
  timeOrigin: number;
  /** The nice value to ask for (a higher priority needs CAP_SYS_NICE). */
  nice: number;
}

/** This thread's kernel id (Linux: /proc/thread-self is `<pid>/task/<tid>`). */
function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Asks for the nice value and reports the one the thread has: unprivileged, the ask fails. */
function takePriority(nice: number): number {
  try {
    setPriority(0, nice); // 0: this thread (nice values are per thread on Linux)
  } catch {
    // EACCES without CAP_SYS_NICE: the other threads step down instead (rtp-thread.ts).
  }
  return getPriority(0);
}

function codecOf(ref: CodecRef): Codec {
  const codec = codecByName(ref.name);
  if (!codec) throw new Error(`codec ${ref.name} is not supported`);
  return withPayloadType(codec, ref.payloadType);
}

/** Runs of speech frames in the caller's audio: true at the frame that completes an onset. */
class OnsetWatch {
  private run = 0;
  /** The classifier's verdict on the last frame pushed. */
  speech = false;

  constructor(
    private readonly classifier: FrameClassifier & { close(): void },
    private readonly frames: number,
  ) {}

  /** Classifies `frame`; true at the frame that completes an onset. */
  push(frame: Int16Array): boolean {
    this.speech = this.classifier.isSpeech(frame);
    if (!this.speech) {
      this.run = 0;
      return false;
    }
    return ++this.run === this.frames;
  }

  close(): void {
    this.classifier.close();
  }
}

/** One session on the thread and the shared memory it exchanges audio through. */
class Bridge implements PacedSource {
  session: RtpSession | undefined;
  onset: OnsetWatch | undefined;
  private lastClear = 0;
  private tickAt = 0;
  private holds = 0;
  /** Already in the thread's next 'frames' message. */
  notified = false;

  constructor(
    readonly id: number,
    private readonly memory: SessionMemory,
    private readonly thread: RtpThreadHost,
  ) {}

  /** The pacer the session registers with: it is ticked through this bridge. */
  readonly pacer: Pacer = {
    add: () => this.thread.scheduler.add(this),
    remove: () => this.thread.scheduler.remove(this),
  };

  onTick(now: number): void {
    const session = this.session;
    if (!session) return;
    this.tickAt = now;
    this.pull(session);
    session.onTick(now);
    session.writeCounters(this.memory.stats);
  }

  onSkip(periods: number): void {
    this.session?.onSkip(periods);
  }

  get jitterMs(): number {
    return this.memory.stats[STAT_JITTER_MS] ?? 0;
  }

  /** Moves the next outbound frame into the session, just in time for this tick. */
  private pull(session: RtpSession): void {
    const { outbound, control } = this.memory;
    // The hold first: the event loop clears, then releases, so a release seen here comes with
    // its clear and no frame from before it slips out.
    const held = Atomics.load(control, CONTROL_HOLD) !== 0;
    const clear = Atomics.load(control, CONTROL_CLEAR);
    if (clear !== this.lastClear) {
      this.lastClear = clear;
      outbound.skipTo(clear);
      session.clear();
    }
    if (held || session.queuedFrames > 0) return;
    const slot = outbound.peek();
    if (slot < 0) return;
    const mark = outbound.tag(slot);
    if (mark !== 0) {
      session.onFirstFrameSent((atMs) =>
        this.thread.post({ type: 'sent', id: this.id, mark, atMs }),
      );
    }
    session.write(outbound.frame(slot));
    outbound.release();
    if (
      Atomics.load(control, CONTROL_WAITING) === 1 &&
      outbound.length <= OUTBOUND_SLOTS / 2 &&
      Atomics.compareExchange(control, CONTROL_WAITING, 1, 0) === 1
    ) {
      this.thread.notifyFrames(this);
    }
  }

  /**
   * The session's audio event: into the inbound ring, stamped with the tick's time. A speech onset
   * holds the agent's audio from the next tick, whether a reply is playing or about to (its audio
   * may arrive from the TTS just in time): the frame carries the hold's number, and the event loop
   * ends the hold once the agent has heard that frame and decided.
   */
  readonly onAudio = (frame: Int16Array, kind: FrameKind): void => {
    if (frame.length !== FRAME_SAMPLES) return;
    const { inbound, control } = this.memory;
    const watch = this.onset;
    const onset = watch?.push(frame) === true;
    const hold = onset && Atomics.load(control, CONTROL_HOLD) === 0 ? this.nextHold() : 0;
    if (inbound.write(frame, inboundTag(kind, hold, watch?.speech), this.tickAt)) {
      if (hold !== 0) Atomics.store(control, CONTROL_HOLD, hold);
      this.thread.notifyFrames(this);
    } else {
      this.memory.stats[STAT_INBOUND_DROPPED]! += 1;
    }
  };

  private nextHold(): number {
    this.holds = (this.holds % (MAX_HOLD - 1)) + 1;
    return this.holds;
  }

  close(): void {
    this.onset?.close();
    this.session?.close();
  }
}

/** The thread's state: scheduler, sessions, metrics and the port to the event loop. */
class RtpThreadHost {
  readonly scheduler: PacingScheduler;
  readonly registry = new Registry();
  private readonly bridges = new Map<number, Bridge>();
  /** The WebRTC VAD module, for the sessions that watch for barge-in. */
  private readonly vad: Promise<WebRtcVadFactory>;
  /** Socket pairs bound ahead of the calls that will take them, by the request that bound them. */
  private readonly spares = new Map<number, BoundPair>();
  /** The WebRTC VAD module once loaded: sessions open without waiting a turn for it. */
  private vadLoaded: WebRtcVadFactory | undefined;
  /** Bridges with news for the event loop since the last 'frames' message. */
  private notified: Bridge[] = [];
  /** The node's SIP UDP socket, once bound here. */
  private sip: SipFront | undefined;
  private readonly now: () => number;

  constructor(
    private readonly port: NonNullable<typeof parentPort>,
    now: () => number,
  ) {
    const deviation = new Histogram({
      name: 'voicefleet_rtp_pacing_deviation_ms',
      help: 'Deviation of each RTP send from its ideal 20 ms slot, milliseconds',
      buckets: PACING_BUCKETS_MS,
      registers: [this.registry],
    });
    const bridges = this.bridges;
    new Gauge({
      name: 'voicefleet_rtp_jitter_ms',
      help: 'Highest interarrival jitter among active calls (RFC 3550), milliseconds',
      registers: [this.registry],
      collect() {
        let max = 0;
        for (const b of bridges.values()) max = Math.max(max, b.jitterMs);
        this.set(max);
      },
    });
    this.scheduler = new PacingScheduler({ now, observeDeviation: (ms) => deviation.observe(ms) });
    // Loaded at start, not by the first call that needs it: that call's setup would wait for it.
    this.vad = loadWebRtcVad();
    this.vad.then(
      (vad) => (this.vadLoaded = vad),
      () => undefined, // reported by the first open that uses it
    );
    this.now = now;
  }

  post(event: RtpThreadEvent): void {
    this.port.postMessage(event);
  }

  /**
   * Tells the event loop which sessions have frames, once per run of the scheduler rather than
   * once per frame; naming them spares the event loop a look at every session each millisecond.
   */
  notifyFrames(bridge: Bridge): void {
    if (bridge.notified) return;
    bridge.notified = true;
    if (this.notified.push(bridge) === 1) process.nextTick(this.flushFrames);
  }

  private readonly flushFrames = (): void => {
    const ids = this.notified.map((b) => {
      b.notified = false;
      return b.id;
    });
    this.notified = [];
    this.post({ type: 'frames', ids });
  };

  handle(request: RtpThreadRequest): void {
    switch (request.op) {
      case 'open': {
        const { spare } = request;
        void this.open(
          request.id,
          new SessionMemory(request.buffer),
          request.options,
          spare === undefined ? undefined : () => this.takeSpare(spare),
        );
        return;
      }
      case 'sip-listen':
        void this.listenSip(request.req, request.host, request.port);
        return;
      case 'sip-answer':
        this.sip?.answerOnArrival(request.config);
        return;
      case 'sip-send':
        this.sip?.send(request.data, request.address, request.port);
        return;
      case 'sip-close': {
        const sip = this.sip;
        this.sip = undefined;
        void (sip?.close() ?? Promise.resolve()).then(() =>
          this.post({ type: 'sip-closed', req: request.req }),
        );
        return;
      }
      case 'spare':
        void this.bindSpare(request.req, request.host, request.portRange);
        return;
      case 'pacing': {
        const pacing = this.scheduler.deviationStats();
        if (request.reset) this.scheduler.resetDeviation();
        this.post({ type: 'pacing', req: request.req, pacing, pacedSources: this.scheduler.size });
        return;
      }
      case 'metrics':
        void this.registry
          .metrics()
          .then((text) => this.post({ type: 'metrics', req: request.req, text }));
        return;
      default:
        this.control(request);
    }
  }

  private control(
    request: Extract<RtpThreadRequest, { op: 'codec' | 'remote' | 'direction' | 'dtmf' | 'close' }>,
  ): void {
    const session = this.bridges.get(request.id)?.session;
    if (!session) return;
    switch (request.op) {
      case 'codec':
        session.setCodec(codecOf(request.codec), request.telephoneEventPayloadType);
        return;
      case 'remote':
        session.setRemote(request.remote);
        return;
      case 'direction':
        session.setDirection(request.direction);
        return;
      case 'dtmf':
        session.sendDtmf(request.digit, request.durationMs);
        return;
      case 'close': {
        const bridge = this.bridges.get(request.id);
        this.bridges.delete(request.id);
        bridge?.close();
        return;
      }
    }
  }

  private async listenSip(req: number, address: string, port: number): Promise<void> {
    try {
      await this.sip?.close();
      this.sip = await SipFront.bind(address, port, {
        now: this.now,
        forward: (data, from, fromPort) =>
          this.post({ type: 'sip', data, address: from, port: fromPort }),
        answered: (event) => this.post({ type: 'sip-answered', ...event }),
        openOn: (id, memory, options, pair) => void this.open(id, memory, options, () => pair),
      });
      this.post({ type: 'sip-listening', req, port: this.sip.port });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'sip-listen-failed', req, name: e.name, message: e.message });
    }
  }

  /**
   * A spare pair waits for its call with a listener that drops what reaches it (a datagram to a port
   * nobody was told of) and keeps a socket error from ending the thread.
   */
  private async bindSpare(req: number, host: string, portRange: PortRange): Promise<void> {
    try {
      const pair = await bindPortPair(host, portRange);
      pair.rtp.on('error', ignore);
      pair.rtcp.on('error', ignore);
      this.spares.set(req, pair);
      this.post({ type: 'spare', req, port: pair.port, address: pair.rtp.address().address });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'spare-failed', req, name: e.name, message: e.message });
    }
  }

  private takeSpare(req: number): BoundPair {
    const pair = this.spares.get(req);
    if (!pair) throw new Error(`no spare socket pair ${req} on the RTP thread`);
    this.spares.delete(req);
    pair.rtp.off('error', ignore);
    pair.rtcp.off('error', ignore);
    return pair;
  }

  /**
   * Opens a session. On a pair bound ahead (`pair`: a spare, or the SIP front's) the call is
   * answered already and waits for nothing: the session starts in this turn, so no datagram is
   * read before it listens (once the VAD module has loaded, which starts with the thread), and only
   * a failure is reported, as the media timeout that ends the call.
   */
  private async open(
    id: number,
    memory: SessionMemory,
    o: ThreadSessionOptions,
    pair: (() => BoundPair) | undefined,
  ): Promise<void> {
    const bridge = new Bridge(id, memory, this);
    this.bridges.set(id, bridge);
    try {
      const { codec, bargeInOnsetFrames, direction, ...rest } = o;
      if (bargeInOnsetFrames !== undefined) {
        const vad = this.vadLoaded ?? (await this.vad);
        bridge.onset = new OnsetWatch(createOnsetClassifier(vad), bargeInOnsetFrames);
      }
      const options = { ...rest, codec: codecOf(codec), scheduler: bridge.pacer, now: this.now };
      const session =
        pair === undefined ? await RtpSession.open(options) : RtpSession.onPair(options, pair());
      if (direction !== undefined) session.setDirection(direction);
      if (this.bridges.get(id) !== bridge) {
        bridge.session = session;
        bridge.close(); // closed while its sockets were being bound
        return;
      }
      bridge.session = session;
      session.on('audio', bridge.onAudio);
      session.on('dtmf', (digit) => this.post({ type: 'dtmf', id, digit }));
      session.on('timeout', () => this.post({ type: 'timeout', id }));
      session.on('latched', (remote) => this.post({ type: 'latched', id, remote }));
      session.on('socketError', (error) =>
        this.post({ type: 'socket-error', id, message: error.message }),
      );
      if (pair !== undefined) return;
      this.post({
        type: 'opened',
        id,
        port: session.localPort,
        address: session.localAddress,
        ssrc: session.ssrc,
      });
    } catch (error) {
      this.bridges.delete(id);
      bridge.close();
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'open-failed', id, name: e.name, message: e.message });
    }
  }
}

const ignore = (): void => undefined;

const port = parentPort;
if (port) {
  const { timeOrigin, nice } = workerData as RtpThreadData;
  const offset = performance.timeOrigin - timeOrigin;
  const host = new RtpThreadHost(port, () => performance.now() + offset);
  port.on('message', (request: RtpThreadRequest) => host.handle(request));
  const tid = threadId();
  host.post({ type: 'ready', nice: takePriority(nice), ...(tid === undefined ? {} : { tid }) });
}
