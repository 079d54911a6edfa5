// Send-gap deviations of the pacing scheduler, counted in 0.1 ms buckets (0-100 ms, then one
// overflow bucket) plus their sum and maximum. The counts only grow; a reader that wants "since
// the last reset" keeps a snapshot and subtracts it. The storage may be a SharedArrayBuffer: the
// scheduler in the RTP engine's worker thread writes, the node's main thread reads (/metrics,
// /debug/media) without a message round trip. One writer only.

const STEPS_PER_MS = 10; // 0.1 ms buckets
const BUCKETS = 1000; // 0-100 ms
const COUNTS = BUCKETS + 1; // + overflow
// Float64 slots after the counts: sum of deviations, largest deviation.
const SUM = 0;
const MAX = 1;

/** Percentile summary of the deviations recorded between two snapshots. */
export interface DeviationStats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** Counts as they stood at one moment (for "since" summaries). */
export interface DeviationSnapshot {
  counts: Uint32Array;
  samples: number;
}

export class DeviationHistogram {
  /** Bytes of storage a histogram needs (for a SharedArrayBuffer). */
  static readonly BYTES = COUNTS * 4 + (8 - ((COUNTS * 4) % 8)) + 2 * 8;

  readonly buffer: ArrayBufferLike;
  readonly #counts: Uint32Array;
  // Sum and max are written by one thread and read by another: aligned 8-byte stores on the
  // platforms Node runs on do not tear, and a reader only ever sees an older or newer value.
  readonly #totals: Float64Array;

  constructor(buffer: ArrayBufferLike = new ArrayBuffer(DeviationHistogram.BYTES)) {
    if (buffer.byteLength < DeviationHistogram.BYTES) {
      throw new RangeError(`a deviation histogram needs ${DeviationHistogram.BYTES} bytes`);
    }
    this.buffer = buffer;
    this.#counts = new Uint32Array(buffer, 0, COUNTS);
    this.#totals = new Float64Array(buffer, DeviationHistogram.BYTES - 16, 2);
  }

  record(deviationMs: number): void {
    const bucket = Math.min(BUCKETS, Math.floor(deviationMs * STEPS_PER_MS));
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#totals[SUM] = (this.#totals[SUM] ?? 0) + deviationMs;
    if (deviationMs > (this.#totals[MAX] ?? 0)) this.#totals[MAX] = deviationMs;
  }

  snapshot(): DeviationSnapshot {
    const counts = this.#counts.slice();
    let samples = 0;
    for (const c of counts) samples += c;
    return { counts, samples };
  }

  /** p50/p99/max of the deviations since `since` (all of them without it), in ms. */
  stats(since?: DeviationSnapshot): DeviationStats {
    const now = this.snapshot();
    const counts = since ? now.counts.map((c, i) => c - (since.counts[i] ?? 0)) : now.counts;
    const samples = now.samples - (since?.samples ?? 0);
    let top = -1;
    for (let i = COUNTS - 1; i >= 0; i--) {
      if ((counts[i] ?? 0) > 0) {
        top = i;
        break;
      }
    }
    // Past 100 ms only the all-time maximum is known.
    const max =
      top < 0
        ? 0
        : top >= BUCKETS
          ? (this.#totals[MAX] ?? 0)
          : Math.min(this.maxMs, (top + 1) / STEPS_PER_MS);
    const percentile = (p: number): number => {
      if (samples === 0) return 0;
      const rank = Math.ceil((p / 100) * samples);
      let seen = 0;
      for (let i = 0; i < COUNTS; i++) {
        seen += counts[i] ?? 0;
        if (seen >= rank) return i >= BUCKETS ? max : (i + 1) / STEPS_PER_MS;
      }
      return max;
    };
    return { samples, p50: percentile(50), p99: percentile(99), max };
  }

  /** Largest deviation ever recorded, ms. */
  get maxMs(): number {
    return this.#totals[MAX] ?? 0;
  }

  /** Sum of every deviation recorded, ms. */
  get sumMs(): number {
    return this.#totals[SUM] ?? 0;
  }

  /** How many recorded deviations were below each upper bound (cumulative, Prometheus style). */
  cumulativeBelow(upperBoundsMs: readonly number[]): number[] {
    const out: number[] = [];
    let seen = 0;
    let i = 0;
    for (const bound of upperBoundsMs) {
      const last = Math.min(BUCKETS, Math.round(bound * STEPS_PER_MS));
      for (; i < last; i++) seen += this.#counts[i] ?? 0;
      out.push(seen);
    }
    return out;
  }
}
