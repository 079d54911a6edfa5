// EdgeSyncLoop: keeps every Kamailio at the desired routing state. A pass per writer runs on
// trigger() (coalesced: at most one pass running and one queued per writer) and every
// `intervalMs`, which is also how a restarted Kamailio is found and refilled. Writers are
// independent: a dead edge never delays the others.
import type { RoutingState } from './routing-state.js';
import type { EdgeWriter, SyncResult } from './edge-writer.js';

export type PassOutcome = { ok: true; result: SyncResult } | { ok: false; error: unknown };

export interface SyncLoopOptions {
  /** The writers to keep in sync; a function when edges come and go (discovered pods). */
  writers: readonly EdgeWriter[] | (() => readonly EdgeWriter[]);
  /**
   * The state to publish to this writer, read fresh for each pass; undefined while it is not
   * known yet (then the pass is skipped: an edge is never emptied for want of a decision).
   */
  desired: (writer: EdgeWriter) => RoutingState | undefined;
  /** Periodic pass interval. */
  intervalMs: number;
  signal: AbortSignal;
  onPass?: (writer: EdgeWriter, outcome: PassOutcome, startedAt: number) => void;
}

export class EdgeSyncLoop {
  readonly done: Promise<void>;
  private readonly running = new Map<EdgeWriter, Promise<void>>();
  private readonly queued = new Set<EdgeWriter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SyncLoopOptions) {
    this.done = new Promise((resolve) => {
      const stop = (): void => {
        if (this.timer !== undefined) clearInterval(this.timer);
        void Promise.allSettled([...this.running.values()]).then(() => resolve());
      };
      if (options.signal.aborted) stop();
      else options.signal.addEventListener('abort', stop, { once: true });
    });
    if (!options.signal.aborted) {
      this.timer = setInterval(() => this.trigger(), options.intervalMs);
      this.trigger();
    }
  }

  /** Requests a pass on every writer as soon as possible. */
  trigger(): void {
    if (this.options.signal.aborted) return;
    const { writers } = this.options;
    for (const writer of typeof writers === 'function' ? writers() : writers) this.schedule(writer);
  }

  private schedule(writer: EdgeWriter): void {
    if (this.running.has(writer)) {
      this.queued.add(writer);
      return;
    }
    const run = this.pass(writer).finally(() => {
      this.running.delete(writer);
      if (this.queued.delete(writer) && !this.options.signal.aborted) this.schedule(writer);
    });
    this.running.set(writer, run);
  }

  private async pass(writer: EdgeWriter): Promise<void> {
    const desired = this.options.desired(writer);
    if (desired === undefined) return;
    const startedAt = Date.now();
    let outcome: PassOutcome;
    try {
      outcome = { ok: true, result: await writer.sync(desired) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    this.options.onPass?.(writer, outcome, startedAt);
  }
}
