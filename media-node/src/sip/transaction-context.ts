// What every transaction state machine is given: a way to send, the clock, and timer values.
import type { TimerHandle, TimerValues, Timers } from './timers.js';

export interface TransactionContext {
  /** Sends bytes to the peer of this transaction (its transport and address are bound). */
  send: (data: Buffer) => void;
  /** Set by client transactions: the transport failed to send (treated like a 503). */
  onTransportError?: () => void;
  /** TCP: no retransmissions, and the wait states (D, I, J, K) last 0 ms. */
  reliable: boolean;
  timers: Timers;
  values: TimerValues;
  /** Called for each retransmission (Timers A, E, G and 2xx repeats), for metrics. */
  onRetransmit?: () => void;
  /**
   * Server transactions: called once when only retransmissions are left to absorb (a final
   * response sent, and for an INVITE's 2xx its ACK seen): the request is no longer needed.
   */
  onSettled?: () => void;
  /** Called once when the transaction reaches Terminated (the table forgets it). */
  onTerminated: () => void;
}

/** Holds the named timers of one transaction so they can all be cancelled at once. */
export class TimerSet {
  #handles = new Map<string, TimerHandle>();
  readonly #timers: Timers;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  start(name: string, ms: number, fn: () => void): void {
    this.cancel(name);
    this.#handles.set(
      name,
      this.#timers.after(ms, () => {
        this.#handles.delete(name);
        fn();
      }),
    );
  }

  cancel(name: string): void {
    this.#handles.get(name)?.cancel();
    this.#handles.delete(name);
  }

  cancelAll(): void {
    for (const h of this.#handles.values()) h.cancel();
    this.#handles.clear();
  }
}
