// Test support: a manual clock implementing Timers; advance() fires due timers in time order.
import type { TimerHandle, Timers } from '../../media-node/src/sip/index.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Timers {
  #now = 0;
  #seq = 0;
  #pending: Pending[] = [];

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const p: Pending = { at: this.#now + ms, seq: this.#seq++, fn, cancelled: false };
    this.#pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including ones they set). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#pending = this.#pending.filter((p) => !p.cancelled);
      this.#pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#pending[0];
      if (!next || next.at > target) break;
      this.#pending.shift();
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }

  get pendingCount(): number {
    return this.#pending.filter((p) => !p.cancelled).length;
  }
}
