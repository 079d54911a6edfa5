// The RTP thread: every call's RtpSession and the one pacing scheduler run here, on a worker
// thread with a heap of its own, so the event loop's garbage collection (the agent's turns, gRPC
// streams, SIP) never holds a packet back. Audio crosses in shared memory (session-memory.ts);
// control and the rare events (DTMF, timeouts, "first frame sent") cross as messages. Times sent
// back are on the event loop's performance.now() clock.

import { parentPort, workerData } from 'node:worker_threads';
import { Gauge, Histogram, Registry } from 'prom-client';
import { FRAME_SAMPLES } from '../audio/format.js';
import { codecByName, withPayloadType, type Codec } from './codec.js';
import type { JitterBufferOptions } from './jitter-buffer.js';
import type { PortRange } from './port-pair.js';
import { PACING_BUCKETS_MS, PacingScheduler, type PacedSource, type Pacer } from './scheduler.js';
import {
  CONTROL_CLEAR,
  CONTROL_WAITING,
  FRAME_KINDS,
  OUTBOUND_SLOTS,
  STAT_INBOUND_DROPPED,
  STAT_JITTER_MS,
  SessionMemory,
  type FrameKind,
} from './session-memory.js';
import { RtpSession, type MediaDirection, type RemoteAddress } from './session.js';

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
}

export type RtpThreadRequest =
  | { op: 'open'; id: number; buffer: SharedArrayBuffer; options: ThreadSessionOptions }
  | { op: 'codec'; id: number; codec: CodecRef; telephoneEventPayloadType?: number }
  | { op: 'remote'; id: number; remote: RemoteAddress }
  | { op: 'direction'; id: number; direction: MediaDirection }
  | { op: 'dtmf'; id: number; digit: string; durationMs: number }
  | { op: 'close'; id: number }
  | { op: 'pacing'; req: number; reset: boolean }
  | { op: 'metrics'; req: number };

export interface PacingReport {
  pacing: { samples: number; p50: number; p99: number; max: number };
  pacedSources: number;
}

export type RtpThreadEvent =
  | { type: 'ready' }
  | { type: 'opened'; id: number; port: number; address: string; ssrc: number }
  | { type: 'open-failed'; id: number; name: string; message: string }
  /** Inbound frames are waiting, or an outbound ring has room for frames that wait. */
  | { type: 'frames' }
  | { type: 'sent'; id: number; mark: number; atMs: number }
  | { type: 'dtmf'; id: number; digit: string }
  | { type: 'timeout'; id: number }
  | { type: 'latched'; id: number; remote: RemoteAddress }
  | { type: 'socket-error'; id: number; message: string }
  | ({ type: 'pacing'; req: number } & PacingReport)
  | { type: 'metrics'; req: number; text: string };

/** What the event loop hands the thread at start. */
export interface RtpThreadData {
  /** The event loop's performance.timeOrigin: times are reported on its clock. */
  timeOrigin: number;
}

function codecOf(ref: CodecRef): Codec {
  const codec = codecByName(ref.name);
  if (!codec) throw new Error(`codec ${ref.name} is not supported`);
  return withPayloadType(codec, ref.payloadType);
}

/** One session on the thread and the shared memory it exchanges audio through. */
class Bridge implements PacedSource {
  session: RtpSession | undefined;
  private lastClear = 0;
  private tickAt = 0;

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
    const clear = Atomics.load(control, CONTROL_CLEAR);
    if (clear !== this.lastClear) {
      this.lastClear = clear;
      outbound.skipTo(clear);
      session.clear();
    }
    if (session.queuedFrames > 0) return;
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
      this.thread.notifyFrames();
    }
  }

  /** The session's audio event: into the inbound ring, stamped with the tick's time. */
  readonly onAudio = (frame: Int16Array, kind: FrameKind): void => {
    if (frame.length !== FRAME_SAMPLES) return;
    if (this.memory.inbound.write(frame, FRAME_KINDS.indexOf(kind), this.tickAt)) {
      this.thread.notifyFrames();
    } else {
      this.memory.stats[STAT_INBOUND_DROPPED]! += 1;
    }
  };
}

/** The thread's state: scheduler, sessions, metrics and the port to the event loop. */
class RtpThreadHost {
  readonly scheduler: PacingScheduler;
  readonly registry = new Registry();
  private readonly bridges = new Map<number, Bridge>();
  private framesPending = false;
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
    this.now = now;
  }

  post(event: RtpThreadEvent): void {
    this.port.postMessage(event);
  }

  /** Tells the event loop about new frames once per run of the scheduler, not once per frame. */
  notifyFrames(): void {
    if (this.framesPending) return;
    this.framesPending = true;
    process.nextTick(this.flushFrames);
  }

  private readonly flushFrames = (): void => {
    this.framesPending = false;
    this.post(FRAMES);
  };

  handle(request: RtpThreadRequest): void {
    switch (request.op) {
      case 'open':
        void this.open(request.id, new SessionMemory(request.buffer), request.options);
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

  private control(request: Exclude<RtpThreadRequest, { op: 'open' | 'pacing' | 'metrics' }>): void {
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
      case 'close':
        this.bridges.delete(request.id);
        session.close();
        return;
    }
  }

  private async open(id: number, memory: SessionMemory, o: ThreadSessionOptions): Promise<void> {
    const bridge = new Bridge(id, memory, this);
    this.bridges.set(id, bridge);
    try {
      const { codec, ...rest } = o;
      const session = await RtpSession.open({
        ...rest,
        codec: codecOf(codec),
        scheduler: bridge.pacer,
        now: this.now,
      });
      if (this.bridges.get(id) !== bridge) {
        session.close(); // closed while its sockets were being bound
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
      this.post({
        type: 'opened',
        id,
        port: session.localPort,
        address: session.localAddress,
        ssrc: session.ssrc,
      });
    } catch (error) {
      this.bridges.delete(id);
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'open-failed', id, name: e.name, message: e.message });
    }
  }
}

const FRAMES: RtpThreadEvent = { type: 'frames' };

const port = parentPort;
if (port) {
  const { timeOrigin } = workerData as RtpThreadData;
  const offset = performance.timeOrigin - timeOrigin;
  const host = new RtpThreadHost(port, () => performance.now() + offset);
  port.on('message', (request: RtpThreadRequest) => host.handle(request));
  host.post({ type: 'ready' });
}
