// A call's RTP session on the RTP thread, as the event loop sees it: it looks like an RtpSession to
// the call. It takes the agent's frames (AudioSink) into its shared outbound ring, emits the
// caller's frames from the inbound ring, and forwards control as messages. Frames that do not fit
// the ring wait here (waiting-frames.ts) and follow when the thread asks.
import { TypedEmitter } from '../../lib/typed-emitter.js';
import { FRAME_SAMPLES } from '../../audio/format.js';
import type { AudioSink } from '../../rtp/audio-sink.js';
import type { Codec } from '../../rtp/codec.js';
import { dtmfEventCode } from '../../rtp/dtmf.js';
import type { MediaDirection, RemoteAddress } from '../../rtp/session.js';
import type { RtpThreadRequest, SessionEvent, ThreadSessionOptions } from '../protocol.js';
import {
  CONTROL_CLEAR,
  CONTROL_HOLD,
  CONTROL_PAUSE,
  CONTROL_WAITING,
  STAT_JITTER_MS,
  STAT_RTT_MS,
  STAT_LOST,
  STAT_RECEIVED,
  STAT_SENT,
  type SessionMemory,
  tagHold,
  tagKind,
  tagSpeech,
  type FrameKind,
} from '../session-memory.js';
import { WaitingFrames } from './waiting-frames.js';

/** What a session needs of the thread's client. */
export interface SessionHost {
  send(request: RtpThreadRequest): void;
  /** The session closed: the client forgets it. */
  forget(id: number): void;
}

/** Options of a session on the thread: a codec object instead of its name. */
export type ThreadRtpSessionOptions = Omit<ThreadSessionOptions, 'codec'> & { codec: Codec };

/** Events of a ThreadRtpSession (RtpSession's, with each caller frame's time). */
export type ThreadRtpSessionEvents = {
  /**
   * A 20 ms frame of the caller's audio and the time (performance.now()) the RTP thread played it
   * out of its jitter buffer. The frame is shared storage, rewritten once this listener returns:
   * copy it to keep it. `speech`: for a session that watches for barge-in (`bargeInOnsetFrames`),
   * the thread's onset verdict on the frame; undefined otherwise.
   */
  audio: [frame: Int16Array, kind: FrameKind, atMs: number, speech: boolean | undefined];
  dtmf: [digit: string];
  timeout: [];
  latched: [remote: RemoteAddress];
  socketError: [error: Error];
  closed: [];
};

export class ThreadRtpSession extends TypedEmitter<ThreadRtpSessionEvents> implements AudioSink {
  private remote: RemoteAddress | undefined;
  private direction: MediaDirection = 'sendrecv';
  private telephoneEvent: number | undefined;
  private readonly waiting = new WaitingFrames();
  private readonly sentCallbacks = new Map<number, (sentAtMs: number) => void>();
  private pendingCallback: ((sentAtMs: number) => void) | undefined;
  private nextMark = 1;
  /** The outbound ring's write index at the last clear(). */
  private clearedTo = 0;
  private closed = false;
  /** While a frame that started a hold is with the listeners: when the thread held playback. */
  private heldAtMs: number | undefined;

  /** @internal made by RtpThread.open */
  constructor(
    private readonly thread: SessionHost,
    readonly id: number,
    private readonly memory: SessionMemory,
    readonly localPort: number,
    readonly localAddress: string,
    readonly ssrc: number,
    options: ThreadRtpSessionOptions,
  ) {
    super();
    this.remote = options.remote;
    this.telephoneEvent = options.telephoneEventPayloadType;
    this.direction = options.direction ?? 'sendrecv';
  }

  // ---- AudioSink ----------------------------------------------------------------------------

  get queuedFrames(): number {
    const { outbound } = this.memory;
    // frames before the last clear may sit in the ring until the thread's next tick skips them
    const inRing = Math.min(outbound.length, (outbound.writeIndex - this.clearedTo) >>> 0);
    return this.waiting.length + inRing;
  }

  write(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`audio frames have ${FRAME_SAMPLES} samples, got ${frame.length}`);
    }
    if (this.closed) return;
    let mark = 0;
    if (this.pendingCallback) {
      mark = this.nextMark++;
      this.sentCallbacks.set(mark, this.pendingCallback);
      this.pendingCallback = undefined;
    }
    if (this.waiting.length === 0 && this.memory.outbound.write(frame, mark, 0)) return;
    this.waiting.push(frame, mark);
    Atomics.store(this.memory.control, CONTROL_WAITING, 1);
  }

  /**
   * Drops the queued frames. Called while the caller's frame that made the thread hold playback
   * is with the listeners, it returns when that hold began: playback stopped then, not now.
   */
  clear(): number | undefined {
    this.waiting.clear();
    this.sentCallbacks.clear();
    this.pendingCallback = undefined;
    this.clearedTo = this.memory.outbound.writeIndex;
    Atomics.store(this.memory.control, CONTROL_CLEAR, this.clearedTo);
    // after the clear: the thread reads the pause first, so it never resumes on cleared frames
    Atomics.store(this.memory.control, CONTROL_PAUSE, 0);
    return this.heldAtMs;
  }

  /**
   * Keeps playback stopped, frames queued, until `resume()` or `clear()`. Called while the
   * caller's frame that made the thread hold playback is with the listeners, the pause takes the
   * hold over (no frame leaves in between) and it returns when that hold began.
   */
  pause(): number | undefined {
    Atomics.store(this.memory.control, CONTROL_PAUSE, 1);
    return this.heldAtMs;
  }

  /** Playback goes on from the frame where it stopped. */
  resume(): void {
    Atomics.store(this.memory.control, CONTROL_PAUSE, 0);
  }

  onFirstFrameSent(callback: (sentAtMs: number) => void): void {
    this.pendingCallback = callback;
  }

  // ---- control ------------------------------------------------------------------------------

  /** Queues a DTMF key press; false when telephone-event was not negotiated or not a digit. */
  sendDtmf(digit: string, durationMs = 100): boolean {
    if (this.telephoneEvent === undefined || dtmfEventCode(digit) === undefined) return false;
    this.request({ op: 'dtmf', id: this.id, digit, durationMs });
    return true;
  }

  setDirection(direction: MediaDirection): void {
    if (direction === this.direction) return; // as on the thread, where sessions start sendrecv
    this.direction = direction;
    this.request({ op: 'direction', id: this.id, direction });
  }

  get currentDirection(): MediaDirection {
    return this.direction;
  }

  setRemote(remote: RemoteAddress): void {
    this.remote = remote;
    this.request({ op: 'remote', id: this.id, remote });
  }

  get remoteAddress(): RemoteAddress | undefined {
    return this.remote;
  }

  setCodec(codec: Codec, telephoneEventPayloadType?: number): void {
    this.telephoneEvent = telephoneEventPayloadType;
    this.request({
      op: 'codec',
      id: this.id,
      codec: { name: codec.name, payloadType: codec.payloadType },
      ...(telephoneEventPayloadType === undefined ? {} : { telephoneEventPayloadType }),
    });
  }

  /** Counters as of the session's last tick on the RTP thread (at most 20 ms old). */
  stats(): {
    packetsSent: number;
    packetsReceived: number;
    lost: number;
    jitterMs: number;
    /** The last RTCP round-trip time; undefined until the far end reports on our stream. */
    rttMs: number | undefined;
  } {
    const s = this.memory.stats;
    const rtt = s[STAT_RTT_MS] ?? Number.NaN;
    return {
      packetsSent: s[STAT_SENT] ?? 0,
      packetsReceived: s[STAT_RECEIVED] ?? 0,
      lost: s[STAT_LOST] ?? 0,
      jitterMs: s[STAT_JITTER_MS] ?? 0,
      rttMs: Number.isNaN(rtt) ? undefined : rtt,
    };
  }

  /** Closes the session on the thread. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting.clear();
    this.sentCallbacks.clear();
    this.pendingCallback = undefined;
    this.request({ op: 'close', id: this.id });
    this.thread.forget(this.id);
    this.emit('closed');
  }

  // ---- from the thread ----------------------------------------------------------------------

  /** @internal Emits the caller's waiting frames and moves waiting speech into the ring. */
  pump(): void {
    const { inbound, outbound } = this.memory;
    for (let slot = inbound.peek(); slot >= 0 && !this.closed; slot = inbound.peek()) {
      const tag = inbound.tag(slot);
      const hold = tagHold(tag);
      const atMs = inbound.time(slot);
      if (hold !== 0) this.heldAtMs = atMs;
      try {
        this.emit('audio', inbound.frame(slot), tagKind(tag), atMs, tagSpeech(tag));
      } finally {
        inbound.release();
        if (hold !== 0) {
          // The agent has heard the onset: cleared (barge-in), or playback resumes.
          this.heldAtMs = undefined;
          Atomics.compareExchange(this.memory.control, CONTROL_HOLD, hold, 0);
        }
      }
    }
    for (let next = this.waiting.peek(); next; next = this.waiting.peek()) {
      if (!outbound.write(next.frame, next.tag, 0)) return;
      this.waiting.shift();
    }
    Atomics.store(this.memory.control, CONTROL_WAITING, 0);
  }

  /** @internal */
  receive(event: SessionEvent): void {
    if (this.closed) return;
    switch (event.type) {
      case 'sent': {
        const callback = this.sentCallbacks.get(event.mark);
        this.sentCallbacks.delete(event.mark);
        callback?.(event.atMs);
        return;
      }
      case 'dtmf':
        this.emit('dtmf', event.digit);
        return;
      case 'timeout':
        this.emit('timeout');
        return;
      case 'latched':
        this.remote = event.remote;
        this.emit('latched', event.remote);
        return;
      case 'socket-error':
        this.emit('socketError', new Error(event.message));
        return;
    }
  }

  private request(request: RtpThreadRequest): void {
    if (!this.closed || request.op === 'close') this.thread.send(request);
  }
}
