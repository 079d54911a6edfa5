// The one pacing scheduler of the process: every call's 20 ms send clock runs here. Each source
// has an absolute next-due time on the monotonic clock (performance.now()), advanced by exactly one
// period per tick, so no error accumulates; sources get staggered phases (a van der Corput spread
// over the period) so sends are spread evenly instead of bursting. A single timer wakes about once
// per millisecond (setTimeout, or at once when the next source is due within a fraction of a
// millisecond) and ticks every source that is due. The gap between consecutive ticks of a source is
// recorded as its deviation from the period: the `pacing deviation` metric and the benchmark read
// it.

/** Something paced every period: a call's RTP session. */
export interface PacedSource {
  /** One period has come due (`now` in ms of the monotonic clock). */
  onTick(now: number): void;
  /** The process stalled and `periods` whole periods were skipped instead of sent in a burst. */
  onSkip?(periods: number): void;
}

/** What a session needs from its pacer: the shared PacingScheduler (or a stand-in in benchmarks). */
export interface Pacer {
  add(source: PacedSource): void;
  remove(source: PacedSource): void;
}

/** Tuning and clock of a scheduler; every field has a default. */
export interface PacingSchedulerOptions {
  periodMs?: number;
  /** Periods a late source may catch up in a burst; beyond that it skips ahead. */
  maxCatchUpPeriods?: number;
  now?: () => number;
  /** Called with every send-gap deviation in ms (e.g. to feed a histogram). */
  observeDeviation?: (ms: number) => void;
}

interface Entry {
  source: PacedSource;
  next: number;
  last: number | undefined;
}

const EARLY_MS = 0.3;
const HISTOGRAM_STEP_MS = 0.1;
const HISTOGRAM_BUCKETS = 1000; // 0-100 ms

function vanDerCorput(n: number): number {
  let x = 0;
  let base = 0.5;
  for (let k = n; k > 0; k >>= 1, base /= 2) if (k & 1) x += base;
  return x;
}

export class PacingScheduler implements Pacer {
  readonly periodMs: number;
  private readonly maxCatchUp: number;
  private readonly now: () => number;
  private readonly observe: ((ms: number) => void) | undefined;
  private readonly epoch: number;
  private readonly entries = new Map<PacedSource, Entry>();
  private added = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly histogram = new Uint32Array(HISTOGRAM_BUCKETS + 1);
  private samples = 0;
  private maxDeviation = 0;

  constructor(options: PacingSchedulerOptions = {}) {
    this.periodMs = options.periodMs ?? 20;
    this.maxCatchUp = options.maxCatchUpPeriods ?? 5;
    this.now = options.now ?? (() => performance.now());
    this.observe = options.observeDeviation;
    this.epoch = this.now();
  }

  /** Number of paced sources. */
  get size(): number {
    return this.entries.size;
  }

  /** Starts pacing `source`; its first tick comes within one period. */
  add(source: PacedSource): void {
    if (this.entries.has(source)) return;
    const phase = vanDerCorput(this.added++) * this.periodMs;
    const now = this.now();
    const periods = Math.ceil((now - this.epoch - phase) / this.periodMs);
    this.entries.set(source, {
      source,
      next: this.epoch + phase + periods * this.periodMs,
      last: undefined,
    });
    this.arm();
  }

  /** Stops pacing `source`. */
  remove(source: PacedSource): void {
    this.entries.delete(source);
    if (this.entries.size === 0) this.disarm();
  }

  /** Send-gap deviation percentile in ms (p in 0-100), from a 0.1 ms histogram. */
  deviationPercentile(p: number): number {
    if (this.samples === 0) return 0;
    const rank = Math.ceil((p / 100) * this.samples);
    let seen = 0;
    for (let i = 0; i < this.histogram.length; i++) {
      seen += this.histogram[i] ?? 0;
      if (seen >= rank)
        return i >= HISTOGRAM_BUCKETS ? this.maxDeviation : (i + 1) * HISTOGRAM_STEP_MS;
    }
    return this.maxDeviation;
  }

  /** Summary of recorded send gaps. */
  deviationStats(): { samples: number; p50: number; p99: number; max: number } {
    return {
      samples: this.samples,
      p50: this.deviationPercentile(50),
      p99: this.deviationPercentile(99),
      max: this.maxDeviation,
    };
  }

  /** Forgets recorded deviations (e.g. after a warm-up). */
  resetDeviation(): void {
    this.histogram.fill(0);
    this.samples = 0;
    this.maxDeviation = 0;
  }

  /** Stops the timer and forgets every source. */
  stop(): void {
    this.entries.clear();
    this.disarm();
  }

  private readonly run = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const now = this.now();
    let earliest = Infinity;
    for (const e of this.entries.values()) {
      if (e.next <= now + EARLY_MS) this.tickEntry(e, now);
      if (e.next < earliest && this.entries.has(e.source)) earliest = e.next;
    }
    this.arm(earliest);
  };

  private tickEntry(e: Entry, now: number): void {
    const behind = Math.floor((now - e.next) / this.periodMs);
    if (behind > this.maxCatchUp) {
      e.next += behind * this.periodMs;
      e.last = undefined;
      e.source.onSkip?.(behind);
    }
    while (e.next <= now + EARLY_MS && this.entries.has(e.source)) {
      if (e.last !== undefined) this.record(Math.abs(now - e.last - this.periodMs));
      e.last = now;
      e.next += this.periodMs;
      e.source.onTick(now);
    }
  }

  private record(deviation: number): void {
    const bucket = Math.min(HISTOGRAM_BUCKETS, Math.floor(deviation / HISTOGRAM_STEP_MS));
    this.histogram[bucket] = (this.histogram[bucket] ?? 0) + 1;
    this.samples++;
    if (deviation > this.maxDeviation) this.maxDeviation = deviation;
    this.observe?.(deviation);
  }

  private arm(earliest?: number): void {
    if (this.timer !== undefined || this.immediate !== undefined || this.entries.size === 0) return;
    const wait = (earliest ?? this.now()) - this.now();
    // The timer never keeps the process alive: the sessions' sockets do. The immediate stays
    // ref'd: an unref'd immediate does not stop the loop from blocking in poll, so it would only
    // run on the next unrelated wake-up.
    if (wait <= EARLY_MS) {
      this.immediate = setImmediate(this.run);
    } else {
      this.timer = setTimeout(this.run, Math.max(1, Math.floor(wait))).unref();
    }
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
