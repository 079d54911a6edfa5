// The work queue's bookkeeping without timers or promises: which keys wait, which run, which
// must run again, when delayed keys fall due and how long a failing key backs off. Times are
// plain numbers given by the caller, so every rule is table-testable.
import { backoffDelay, RECONCILE_BACKOFF, type BackoffPolicy } from './backoff.js';

export type Outcome = { kind: 'success'; requeueAfterMs?: number } | { kind: 'error' };

export class WorkQueueCore {
  /** Insertion-ordered: the oldest ready key runs first, after every urgent one. */
  private readonly ready = new Set<string>();
  /** Keys whose next pass must not wait behind the others (a pool that needs pods now). */
  private readonly urgent = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while they were processing: they run once more afterwards. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  /** When each ready or dirty key was first queued (or fell due), while the caller said. */
  private readonly queuedAt = new Map<string, number>();

  constructor(private readonly backoff: BackoffPolicy = RECONCILE_BACKOFF) {}

  /**
   * Queues a key now; a key already waiting stays once, a running key runs again afterwards.
   * `now`, when given, starts the key's wait (a key queued many times waits from the first).
   */
  add(key: string, now?: number): void {
    this.delayed.delete(key);
    if (this.processing.has(key)) this.dirty.add(key);
    else this.ready.add(key);
    if (now !== undefined && !this.queuedAt.has(key)) this.queuedAt.set(key, now);
  }

  /**
   * Queues a key ahead of every key that is merely ready; a running key runs again first thing
   * afterwards. Still once per key: an urgent key that was ready runs once, early.
   */
  addUrgent(key: string, now?: number): void {
    this.delayed.delete(key);
    this.ready.delete(key);
    if (this.processing.has(key)) this.dirty.add(key);
    this.urgent.add(key);
    if (now !== undefined && !this.queuedAt.has(key)) this.queuedAt.set(key, now);
  }

  /** Queues a key at `dueAt`; the earliest of several due times wins; a ready key stays ready. */
  addAt(key: string, dueAt: number): void {
    if (this.ready.has(key) || this.dirty.has(key) || this.urgent.has(key)) return;
    const current = this.delayed.get(key);
    if (current === undefined || dueAt < current) this.delayed.set(key, dueAt);
  }

  /** Moves due keys to ready and hands out the oldest ready key that is not running. */
  next(now: number): string | undefined {
    return this.take(now)?.key;
  }

  /** `next`, with the key's wait for a worker in ms (undefined when queued without a time). */
  take(now: number): { key: string; waitMs: number | undefined } | undefined {
    this.promote(now);
    for (const key of this.urgent) {
      if (this.processing.has(key)) continue;
      this.urgent.delete(key);
      this.dirty.delete(key);
      return this.hand(key, now);
    }
    for (const key of this.ready) {
      this.ready.delete(key);
      return this.hand(key, now);
    }
    return undefined;
  }

  private hand(key: string, now: number): { key: string; waitMs: number | undefined } {
    this.processing.add(key);
    const since = this.queuedAt.get(key);
    this.queuedAt.delete(key);
    return { key, waitMs: since === undefined ? undefined : Math.max(0, now - since) };
  }

  /** Records how processing ended; a failure backs off, a success resets the key's failures. */
  done(key: string, outcome: Outcome, now: number): void {
    this.processing.delete(key);
    if (outcome.kind === 'error') {
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      if (this.urgent.has(key)) this.dirty.delete(key);
      else if (this.dirty.delete(key)) this.ready.add(key);
      else this.addAt(key, now + backoffDelay(attempt, this.backoff));
      return;
    }
    this.failures.delete(key);
    if (this.urgent.has(key)) this.dirty.delete(key);
    else if (this.dirty.delete(key)) this.ready.add(key);
    else if (outcome.requeueAfterMs !== undefined) this.addAt(key, now + outcome.requeueAfterMs);
  }

  /** The earliest due time of a delayed key, for the driver's timer. */
  nextDueAt(): number | undefined {
    let earliest: number | undefined;
    for (const dueAt of this.delayed.values()) {
      if (earliest === undefined || dueAt < earliest) earliest = dueAt;
    }
    return earliest;
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys ready to run now (the depth metric). */
  depth(): number {
    return this.ready.size + [...this.urgent].filter((k) => !this.processing.has(k)).length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Nothing ready, running or delayed. */
  isIdle(): boolean {
    return (
      this.ready.size === 0 &&
      this.urgent.size === 0 &&
      this.processing.size === 0 &&
      this.delayed.size === 0
    );
  }

  /** Moves keys whose due time has come to ready. */
  promote(now: number): void {
    for (const [key, dueAt] of this.delayed) {
      if (dueAt <= now) {
        this.delayed.delete(key);
        this.add(key, dueAt);
      }
    }
  }
}
