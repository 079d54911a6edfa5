// One call's session on the RTP thread and the shared memory it exchanges audio through with the
// event loop: each tick moves the agent's next frame out of the outbound ring into the session
// (unless the caller's onset holds playback), and each caller frame goes into the inbound ring,
// tagged with its kind, the thread's onset verdict and the hold it started.
import { FRAME_SAMPLES } from '../../audio/format.js';
import type { PacedSource, Pacer } from '../../rtp/scheduler.js';
import type { RtpSession } from '../../rtp/session.js';
import type { RtpThreadEvent } from '../protocol.js';
import type { SessionMemory } from '../session-memory.js';
import {
  CONTROL_CLEAR,
  CONTROL_HOLD,
  CONTROL_PAUSE,
  CONTROL_WAITING,
  MAX_HOLD,
  OUTBOUND_SLOTS,
  STAT_INBOUND_DROPPED,
  STAT_JITTER_MS,
  STAT_RTT_MS,
  inboundTag,
  type FrameKind,
} from '../session-memory.js';
import type { OnsetWatch } from './onset-watch.js';

/** What a bridge needs of the thread: its scheduler and the port to the event loop. */
export interface BridgeHost {
  readonly scheduler: Pacer;
  post(event: RtpThreadEvent): void;
  /** The bridge has frames for the event loop, or room for the frames that wait there. */
  notifyFrames(bridge: SessionBridge): void;
}

/** One session on the thread and the shared memory it exchanges audio through. */
export class SessionBridge implements PacedSource {
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
    private readonly thread: BridgeHost,
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
    this.memory.stats[STAT_RTT_MS] = session.rttMs;
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
    // The hold and the pause first: the event loop clears, then releases, so a release seen here
    // comes with its clear and no frame from before it slips out.
    const held =
      Atomics.load(control, CONTROL_HOLD) !== 0 || Atomics.load(control, CONTROL_PAUSE) !== 0;
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
