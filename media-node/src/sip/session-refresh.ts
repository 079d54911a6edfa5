// A dialog's session timer (RFC 4028 §10): when we refresh, a refresh goes out at half the
// interval; when the other side refreshes and its refresh does not come, the session ends with a
// BYE at the interval minus a third of it (at most 32 s), before the other side's own expiry.
import type { TimerHandle, Timers } from './timers.js';

/** Who refreshes this dialog's session: this endpoint, or the one at the other end. */
export type RefreshingSide = 'local' | 'remote';

export interface SessionRefreshHost {
  readonly timers: Timers;
  /** Time to refresh (re-INVITE or UPDATE) for another `seconds`. */
  refresh(seconds: number): void;
  /** The other side's refresh did not come: end the session. */
  expire(): void;
}

/** When the non-refreshing side gives up (RFC 4028 §10): a third early, at most 32 s early. */
export function expiryMs(seconds: number): number {
  return (seconds - Math.min(32, seconds / 3)) * 1000;
}

export class SessionRefresh {
  readonly #host: SessionRefreshHost;
  #timer: TimerHandle | undefined;
  /** The interval now in force and who refreshes it; undefined without a session timer. */
  current: { seconds: number; side: RefreshingSide } | undefined;

  constructor(host: SessionRefreshHost) {
    this.#host = host;
  }

  /** A session interval was agreed (again): the timer starts over. */
  start(seconds: number, side: RefreshingSide): void {
    this.stop();
    this.current = { seconds, side };
    const host = this.#host;
    this.#timer =
      side === 'local'
        ? host.timers.after((seconds * 1000) / 2, () => host.refresh(seconds))
        : host.timers.after(expiryMs(seconds), () => host.expire());
  }

  /** No session timer from now on (or the dialog ended). */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.current = undefined;
  }
}
