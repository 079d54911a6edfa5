/**
 * Event-loop health for `GET /debug/media`: how late the loop ran a timer (libuv's event-loop
 * delay histogram) and the garbage-collection pauses since the last reset, by kind. RTP pacing runs
 * on this loop, so a pacing p99 above the scheduler's 1 ms tick reads together with these: GC
 * pauses and long tasks show here as loop delay.
 */
import {
  monitorEventLoopDelay,
  PerformanceObserver,
  type IntervalHistogram,
} from 'node:perf_hooks';

export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
  /** Pauses of 5 ms or more (each one delays every call's sends that fall inside it). */
  over5Ms: number;
}

export interface LoopStats {
  delayMs: { p50: number; p99: number; max: number };
  gc: Record<'minor' | 'major' | 'incremental' | 'weak', GcPauses>;
}

// perf_hooks GC kinds (NODE_PERFORMANCE_GC_*).
const KINDS: Record<number, keyof LoopStats['gc']> = {
  1: 'minor',
  2: 'major',
  4: 'major',
  8: 'incremental',
  16: 'weak',
};
const empty = (): GcPauses => ({ count: 0, totalMs: 0, maxMs: 0, over5Ms: 0 });
const round = (ms: number): number => Math.round(ms * 100) / 100;
/** The delay timer's period; the histogram holds whole intervals, so it is subtracted. */
const RESOLUTION_MS = 10;

export class LoopMonitor {
  readonly #delay: IntervalHistogram;
  readonly #gcObserver: PerformanceObserver;
  #gc: LoopStats['gc'] = { minor: empty(), major: empty(), incremental: empty(), weak: empty() };

  constructor() {
    this.#delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#delay.enable();
    this.#gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as { detail?: { kind?: number } }).detail;
        const kind = KINDS[detail?.kind ?? 0];
        if (!kind) continue;
        const p = this.#gc[kind];
        p.count++;
        p.totalMs += entry.duration;
        if (entry.duration > p.maxMs) p.maxMs = entry.duration;
        if (entry.duration >= 5) p.over5Ms++;
      }
    });
    this.#gcObserver.observe({ entryTypes: ['gc'] });
  }

  stats(): LoopStats {
    const ms = (ns: number): number => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));
    const gc = Object.fromEntries(
      Object.entries(this.#gc).map(([k, p]) => [
        k,
        { ...p, totalMs: round(p.totalMs), maxMs: round(p.maxMs) },
      ]),
    ) as LoopStats['gc'];
    return {
      delayMs: {
        p50: ms(this.#delay.percentile(50)),
        p99: ms(this.#delay.percentile(99)),
        max: ms(this.#delay.max),
      },
      gc,
    };
  }

  reset(): void {
    this.#delay.reset();
    this.#gc = { minor: empty(), major: empty(), incremental: empty(), weak: empty() };
  }

  close(): void {
    this.#delay.disable();
    this.#gcObserver.disconnect();
  }
}
