// Adaptive playout buffer for one inbound RTP stream. Packets are ordered by extended sequence
// number (16-bit wrap handled as in RFC 3550 A.1); the consumer pulls one frame per 20 ms tick.
// Reordered packets are put back in order, duplicates and packets that arrive after their slot was
// played are dropped, a missing packet is concealed by repeating the last frame at falling volume
// (then silence), and when the buffer runs dry (the far end paused, e.g. silence suppression or
// hold) playout emits silence and re-buffers. The target depth follows the interarrival jitter
// (RFC 3550 A.8); a buffer that stays deeper than needed sheds one frame at a time. Pure: the
// caller passes arrival times, so tests drive it with a fake clock.

/** Tuning of a jitter buffer; every field has a default. */
export interface JitterBufferOptions {
  /** Timestamp units per second of the stream (8000 for G.711). */
  clockRate?: number;
  /** Smallest playout delay in frames (20 ms each). */
  minDelayFrames?: number;
  /** Largest playout delay in frames. */
  maxDelayFrames?: number;
  /** Frames concealed by repetition before switching to silence. */
  maxConcealFrames?: number;
}

/** What one pull produced. */
export interface PlayoutFrame {
  /** audio: a received frame; concealed: stands in for a lost one; silence: buffer ran dry. */
  kind: 'audio' | 'concealed' | 'silence';
  samples: Int16Array;
}

/** Receive statistics in the terms of RFC 3550 receiver reports. */
export interface JitterBufferStats {
  received: number;
  expected: number;
  lost: number;
  duplicates: number;
  late: number;
  concealed: number;
  /** Interarrival jitter in timestamp units and in milliseconds. */
  jitter: number;
  jitterMs: number;
  /** Highest extended sequence number seen. */
  highestSeq: number;
  depth: number;
  targetDelayFrames: number;
}

export type PushResult = 'queued' | 'duplicate' | 'late';

interface Slot {
  timestamp: number;
  samples: Int16Array;
}

const RESYNC_GAP = 500;

export class JitterBuffer {
  private readonly clockRate: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly maxConceal: number;
  private readonly slots = new Map<number, Slot>();
  private baseSeq: number | undefined;
  private maxSeq = 0;
  private nextSeq: number | undefined;
  private playing = false;
  private last: Int16Array | undefined;
  private concealRun = 0;
  private deepTicks = 0;
  private lateRun = 0;
  private transit: number | undefined;
  private jitter = 0;
  private counts = { received: 0, duplicates: 0, late: 0, concealed: 0 };

  constructor(options: JitterBufferOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.minDelay = options.minDelayFrames ?? 2;
    this.maxDelay = Math.max(this.minDelay, options.maxDelayFrames ?? 10);
    this.maxConceal = options.maxConcealFrames ?? 3;
  }

  /** Adds a received packet's decoded samples. `arrivalMs` is a monotonic clock reading. */
  push(
    sequenceNumber: number,
    timestamp: number,
    samples: Int16Array,
    arrivalMs: number,
  ): PushResult {
    const ext = this.extend(sequenceNumber);
    if (this.slots.has(ext)) {
      this.counts.duplicates++;
      return 'duplicate';
    }
    if (this.nextSeq !== undefined && ext < this.nextSeq) {
      this.counts.late++;
      this.counts.received++;
      // A sender that restarted its sequence numbers far below ours: start over with it.
      if (++this.lateRun > 10) this.restart();
      return 'late';
    }
    this.lateRun = 0;
    if (this.nextSeq !== undefined && ext - this.nextSeq > RESYNC_GAP) this.restart();
    this.updateJitter(timestamp, arrivalMs);
    this.counts.received++;
    if (ext > this.maxSeq) this.maxSeq = ext;
    this.slots.set(ext, { timestamp, samples });
    return 'queued';
  }

  /** The frame to play now (call every 20 ms), or undefined before the stream has started. */
  pop(): PlayoutFrame | undefined {
    if (!this.playing) {
      if (this.slots.size === 0 || this.slots.size < this.targetDelayFrames()) {
        return this.last ? this.silence() : undefined;
      }
      this.playing = true;
      this.nextSeq = Math.min(...this.slots.keys());
    }
    this.trimExcess();
    const seq = this.nextSeq ?? 0;
    const slot = this.slots.get(seq);
    if (slot) {
      this.slots.delete(seq);
      this.nextSeq = seq + 1;
      this.last = slot.samples;
      this.concealRun = 0;
      return { kind: 'audio', samples: slot.samples };
    }
    if (this.slots.size === 0) {
      this.playing = false;
      return this.silence();
    }
    this.nextSeq = seq + 1;
    this.counts.concealed++;
    return { kind: 'concealed', samples: this.conceal() };
  }

  /** Current statistics. */
  stats(): JitterBufferStats {
    const expected = this.baseSeq === undefined ? 0 : this.maxSeq - this.baseSeq + 1;
    return {
      ...this.counts,
      expected,
      lost: Math.max(0, expected - this.counts.received),
      jitter: this.jitter,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      highestSeq: this.maxSeq,
      depth: this.slots.size,
      targetDelayFrames: this.targetDelayFrames(),
    };
  }

  /** Forgets buffered audio and the sequence state (a new stream, e.g. after an SSRC change). */
  reset(): void {
    this.restart();
    this.baseSeq = undefined;
  }

  private restart(): void {
    this.slots.clear();
    this.playing = false;
    this.nextSeq = undefined;
    this.lateRun = 0;
    this.transit = undefined;
  }

  private extend(seq: number): number {
    if (this.baseSeq === undefined) {
      this.baseSeq = seq;
      this.maxSeq = seq;
      return seq;
    }
    let delta = (seq - (this.maxSeq & 0xffff)) & 0xffff;
    if (delta >= 0x8000) delta -= 0x10000;
    return this.maxSeq + delta;
  }

  private updateJitter(timestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.transit !== undefined) {
      let d = Math.abs(transit - this.transit);
      // Timestamps wrap at 2^32; a wrapped difference is not jitter.
      if (d > 0x80000000) d = Math.abs(d - 0x100000000);
      this.jitter += (d - this.jitter) / 16;
    }
    this.transit = transit;
  }

  private targetDelayFrames(): number {
    const frameMs = 20;
    const wanted = Math.ceil((3 * ((this.jitter * 1000) / this.clockRate)) / frameMs) + 1;
    return Math.min(this.maxDelay, Math.max(this.minDelay, wanted));
  }

  private trimExcess(): void {
    const target = this.targetDelayFrames();
    if (this.slots.size > 2 * this.maxDelay) {
      while (this.slots.size > target) this.dropOldest();
      return;
    }
    this.deepTicks = this.slots.size > target + 2 ? this.deepTicks + 1 : 0;
    if (this.deepTicks >= 50) {
      this.dropOldest();
      this.deepTicks = 0;
    }
  }

  private dropOldest(): void {
    const oldest = Math.min(...this.slots.keys());
    this.slots.delete(oldest);
    this.nextSeq = oldest + 1;
  }

  private silence(): PlayoutFrame {
    return { kind: 'silence', samples: new Int16Array(this.last?.length ?? 160) };
  }

  private conceal(): Int16Array {
    const last = this.last ?? new Int16Array(160);
    this.concealRun++;
    if (this.concealRun > this.maxConceal) return new Int16Array(last.length);
    const gain = 0.5 ** this.concealRun;
    return last.map((s) => Math.round(s * gain));
  }
}
