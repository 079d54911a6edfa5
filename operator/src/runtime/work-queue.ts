// A keyed, de-duplicating work queue with N workers (STYLE.md: the queue holds keys, never a
// FIFO of events). A key is never processed by two workers at once; a key added while it runs
// runs once more afterwards; failures back off per key (5 ms doubling, capped at 30 s) and a
// success resets them; `addAfter` and `requeueAfterMs` schedule time-based work.
import { RECONCILE_BACKOFF, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './work-queue-clock.js';
import { WorkQueueCore } from './work-queue-core.js';

export type ReconcileResult = { requeueAfterMs?: number } | undefined | void;
/** What the queue knows of a run: how long the key waited for a worker since it was queued or fell due. */
export interface RunInfo {
  queueWaitMs: number;
}
export type KeyHandler = (
  key: string,
  signal: AbortSignal,
  info: RunInfo,
) => Promise<ReconcileResult>;

export interface ProcessedEvent {
  key: string;
  durationMs: number;
  outcome: 'success' | 'error';
  error?: unknown;
  /** Consecutive failures of this key after this run (0 on success). */
  failures: number;
}

export interface WorkQueueHooks {
  /** Called when the number of ready keys changes. */
  depth?(depth: number): void;
  processed?(event: ProcessedEvent): void;
}

export interface WorkQueueOptions {
  workers?: number;
  backoff?: BackoffPolicy;
  clock?: Clock;
  hooks?: WorkQueueHooks;
}

export class WorkQueue {
  private readonly core: WorkQueueCore;
  private readonly clock: Clock;
  private readonly hooks: WorkQueueHooks;
  private readonly workers: number;
  private wakers: (() => void)[] = [];
  private cancelTimer: (() => void) | undefined;
  private timerDueAt: number | undefined;
  private lastDepth = -1;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions = {}) {
    this.core = new WorkQueueCore(options.backoff ?? RECONCILE_BACKOFF);
    this.clock = options.clock ?? systemClock;
    this.hooks = options.hooks ?? {};
    this.workers = options.workers ?? 1;
  }

  add(key: string): void {
    this.core.add(key, this.clock.now());
    this.changed();
  }

  /** Like `add`, ahead of every key that is merely waiting (see WorkQueueCore.addUrgent). */
  addUrgent(key: string): void {
    this.core.addUrgent(key, this.clock.now());
    this.changed();
  }

  addAfter(key: string, ms: number): void {
    if (ms <= 0) return this.add(key);
    this.core.addAt(key, this.clock.now() + ms);
    this.changed();
  }

  depth(): number {
    return this.core.depth();
  }

  failuresOf(key: string): number {
    return this.core.failuresOf(key);
  }

  /** Resolves once nothing is ready, running or delayed (for tests and draining). */
  async idle(): Promise<void> {
    if (this.core.isIdle()) return;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Runs `handler` on N workers until `signal` aborts; resolves when in-flight keys finished. */
  async run(handler: KeyHandler, signal: AbortSignal): Promise<void> {
    const wakeAll = () => this.wake();
    signal.addEventListener('abort', wakeAll, { once: true });
    try {
      await Promise.all(Array.from({ length: this.workers }, () => this.worker(handler, signal)));
    } finally {
      signal.removeEventListener('abort', wakeAll);
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.timerDueAt = undefined;
    }
  }

  private async worker(handler: KeyHandler, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const taken = this.core.take(this.clock.now());
      if (taken === undefined) {
        await new Promise<void>((resolve) => this.wakers.push(resolve));
        continue;
      }
      const { key } = taken;
      this.changed();
      const started = this.clock.now();
      let event: ProcessedEvent;
      try {
        const result = await handler(key, signal, { queueWaitMs: taken.waitMs ?? 0 });
        this.core.done(key, { kind: 'success', ...(result ?? {}) }, this.clock.now());
        event = { key, durationMs: this.clock.now() - started, outcome: 'success', failures: 0 };
      } catch (error) {
        this.core.done(key, { kind: 'error' }, this.clock.now());
        event = {
          key,
          durationMs: this.clock.now() - started,
          outcome: 'error',
          error,
          failures: this.core.failuresOf(key),
        };
      }
      this.hooks.processed?.(event);
      this.changed();
    }
  }

  /** After any state change: wake idle workers, re-arm the timer, report depth and idleness. */
  private changed(): void {
    if (this.core.depth() > 0) this.wake();
    this.armTimer();
    const depth = this.core.depth();
    if (depth !== this.lastDepth) {
      this.lastDepth = depth;
      this.hooks.depth?.(depth);
    }
    if (this.core.isIdle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const resolve of wakers) resolve();
  }

  private armTimer(): void {
    const dueAt = this.core.nextDueAt();
    if (dueAt === this.timerDueAt) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDueAt = dueAt;
    if (dueAt === undefined) return;
    this.cancelTimer = this.clock.setTimer(
      () => {
        this.cancelTimer = undefined;
        this.timerDueAt = undefined;
        this.core.promote(this.clock.now());
        this.changed();
      },
      Math.max(0, dueAt - this.clock.now()),
    );
  }
}
