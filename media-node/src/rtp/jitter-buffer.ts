// Adaptive playout buffer for one inbound RTP stream. Packets are ordered by extended sequence
// number (16-bit wrap handled as in RFC 3550 A.1); the consumer pulls one frame per 20 ms tick.
// Reordered packets are put back in order, duplicates and packets that arrive after their slot was
// played are dropped, a missing packet is concealed by repeating the last frame at falling volume
// (then silence), and when the buffer runs dry (the far end paused, e.g. silence suppression or
// hold) playout emits silence and re-buffers. The target depth follows the interarrival jitter
// (RFC 3550 A.8); a buffer that stays deeper than needed sheds one frame at a time. Pure: the
// caller passes arrival times, so tests drive it with a fake clock.
//
// Storage is a ring of slots indexed by sequence number, each holding its samples in an array
// allocated once and reused: a packet costs a copy, not an allocation, so the receive path of
// hundreds of calls leaves the garbage collector nothing per packet. A frame returned by pop() is
// therefore the buffer's own storage, valid until a ring's worth (64) more packets have arrived
// (1.28 s at 20 ms); a consumer that keeps audio longer copies it.

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

const RESYNC_GAP = 500;
/** Ring slots (a power of two, above twice the largest delay the options allow). */
const MIN_SLOTS = 64;
const EMPTY = -Infinity;

export class JitterBuffer {
  private readonly clockRate: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly maxConceal: number;
  /** Extended sequence number held by each slot, or EMPTY. */
  private readonly seqs: Float64Array;
  private readonly frames: Int16Array[] = [];
  private readonly mask: number;
  private size = 0;
  private baseSeq: number | undefined;
  private maxSeq = 0;
  private nextSeq: number | undefined;
  private playing = false;
  /** A copy of the last frame played (slots are reused), for concealment. */
  private last: Int16Array | undefined;
  private silent = new Int16Array(0);
  private concealed = new Int16Array(0);
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
    let slots = MIN_SLOTS;
    while (slots <= 2 * this.maxDelay + 2) slots *= 2;
    this.seqs = new Float64Array(slots).fill(EMPTY);
    this.mask = slots - 1;
  }

  /**
   * Adds a received packet's decoded samples (copied: `samples` may be the caller's scratch).
   * `arrivalMs` is a monotonic clock reading.
   */
  push(
    sequenceNumber: number,
    timestamp: number,
    samples: Int16Array,
    arrivalMs: number,
  ): PushResult {
    const ext = this.extend(sequenceNumber);
    const held = this.seqs[ext & this.mask]!;
    if (held === ext) {
      this.counts.duplicates++;
      return 'duplicate';
    }
    // Late: its slot was played, or still holds a packet a whole ring newer.
    if ((this.nextSeq !== undefined && ext < this.nextSeq) || held > ext) {
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
    this.store(ext, samples);
    return 'queued';
  }

  /** The frame to play now (call every 20 ms), or undefined before the stream has started. */
  pop(): PlayoutFrame | undefined {
    if (!this.playing) {
      if (this.size === 0 || this.size < this.targetDelayFrames()) {
        return this.last ? this.silence() : undefined;
      }
      this.playing = true;
      this.nextSeq = this.oldest();
    }
    this.trimExcess();
    const seq = this.nextSeq ?? 0;
    const i = seq & this.mask;
    if (this.seqs[i] === seq) {
      const samples = this.frames[i]!;
      this.seqs[i] = EMPTY;
      this.size--;
      this.nextSeq = seq + 1;
      if (this.last?.length !== samples.length) this.last = new Int16Array(samples.length);
      this.last.set(samples);
      this.concealRun = 0;
      return { kind: 'audio', samples };
    }
    if (this.size === 0) {
      this.playing = false;
      return this.silence();
    }
    this.nextSeq = seq + 1;
    this.counts.concealed++;
    return { kind: 'concealed', samples: this.conceal() };
  }

  /** Packets received (as in stats(), which allocates; this does not). */
  get received(): number {
    return this.counts.received;
  }

  /** Packets expected and not received (as in stats()). */
  get lost(): number {
    const expected = this.baseSeq === undefined ? 0 : this.maxSeq - this.baseSeq + 1;
    return Math.max(0, expected - this.counts.received);
  }

  /** Interarrival jitter in milliseconds (as in stats()). */
  get jitterMs(): number {
    return (this.jitter * 1000) / this.clockRate;
  }

  /** Current statistics. */
  stats(): JitterBufferStats {
    const expected = this.baseSeq === undefined ? 0 : this.maxSeq - this.baseSeq + 1;
    return {
      ...this.counts,
      expected,
      lost: this.lost,
      jitter: this.jitter,
      jitterMs: this.jitterMs,
      highestSeq: this.maxSeq,
      depth: this.size,
      targetDelayFrames: this.targetDelayFrames(),
    };
  }

  /** Forgets buffered audio and the sequence state (a new stream, e.g. after an SSRC change). */
  reset(): void {
    this.restart();
    this.baseSeq = undefined;
  }

  private restart(): void {
    this.seqs.fill(EMPTY);
    this.size = 0;
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

  /** Copies `samples` into the slot of `ext`; a slot still holding a packet a ring ago loses it. */
  private store(ext: number, samples: Int16Array): void {
    const i = ext & this.mask;
    if (this.seqs[i] === EMPTY) this.size++;
    let frame = this.frames[i];
    if (frame?.length !== samples.length) frame = this.frames[i] = new Int16Array(samples.length);
    frame.set(samples);
    this.seqs[i] = ext;
  }

  /** Lowest queued sequence number (the ring is small: a scan). */
  private oldest(): number {
    let min = Infinity;
    for (const seq of this.seqs) if (seq !== EMPTY && seq < min) min = seq;
    return min;
  }

  private trimExcess(): void {
    const target = this.targetDelayFrames();
    if (this.size > 2 * this.maxDelay) {
      while (this.size > target) this.dropOldest();
      return;
    }
    this.deepTicks = this.size > target + 2 ? this.deepTicks + 1 : 0;
    if (this.deepTicks >= 50) {
      this.dropOldest();
      this.deepTicks = 0;
    }
  }

  private dropOldest(): void {
    const oldest = this.oldest();
    this.seqs[oldest & this.mask] = EMPTY;
    this.size--;
    this.nextSeq = oldest + 1;
  }

  /** A frame of silence as long as the last one (the buffer's own, never written after). */
  private silence(): PlayoutFrame {
    const length = this.last?.length ?? 160;
    if (this.silent.length !== length) this.silent = new Int16Array(length);
    return { kind: 'silence', samples: this.silent };
  }

  private conceal(): Int16Array {
    const last = this.last ?? new Int16Array(160);
    this.concealRun++;
    if (this.concealRun > this.maxConceal) return this.silence().samples;
    if (this.concealed.length !== last.length) this.concealed = new Int16Array(last.length);
    const gain = 0.5 ** this.concealRun;
    for (let i = 0; i < last.length; i++) this.concealed[i] = Math.round(last[i]! * gain);
    return this.concealed;
  }
}
