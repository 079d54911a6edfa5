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

import {
  DeviationHistogram,
  type DeviationSnapshot,
  type DeviationStats,
} from './deviation-histogram.js';

/** Tuning and clock of a scheduler; every field has a default. */
export interface PacingSchedulerOptions {
  periodMs?: number;
  /** Periods a late source may catch up in a burst; beyond that it skips ahead. */
  maxCatchUpPeriods?: number;
  now?: () => number;
  /** Called with every send-gap deviation in ms (e.g. to feed a histogram). */
  observeDeviation?: (ms: number) => void;
  /** Where deviations are counted (e.g. on shared memory another thread reads); default own. */
  histogram?: DeviationHistogram;
  /** Called after every run that ticked at least one source. */
  afterRun?: () => void;
}

interface Entry {
  source: PacedSource;
  next: number;
  last: number | undefined;
}

const EARLY_MS = 0.3;

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
  private readonly afterRun: (() => void) | undefined;
  readonly histogram: DeviationHistogram;
  private since: DeviationSnapshot | undefined;
  private ticked = false;

  constructor(options: PacingSchedulerOptions = {}) {
    this.periodMs = options.periodMs ?? 20;
    this.maxCatchUp = options.maxCatchUpPeriods ?? 5;
    this.now = options.now ?? (() => performance.now());
    this.observe = options.observeDeviation;
    this.histogram = options.histogram ?? new DeviationHistogram();
    this.afterRun = options.afterRun;
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

  /** Summary of the send gaps recorded since the last reset. */
  deviationStats(): DeviationStats {
    return this.histogram.stats(this.since);
  }

  /** Forgets recorded deviations (e.g. after a warm-up). */
  resetDeviation(): void {
    this.since = this.histogram.snapshot();
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
    if (this.ticked) {
      this.ticked = false;
      this.afterRun?.();
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
      this.ticked = true;
      e.source.onTick(now);
    }
  }

  private record(deviation: number): void {
    this.histogram.record(deviation);
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
