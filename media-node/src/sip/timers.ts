// Injected clock for the transaction state machines, and RFC 3261 timer values (§17, Table 4).

export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  now(): number;
  after(ms: number, fn: () => void): TimerHandle;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  after(ms, fn) {
    // A timer that comes due runs after the I/O already waiting (setImmediate follows the poll
    // phase): behind a stalled event loop, an ACK or a response that arrived during the stall
    // is handled before a retransmission or a timeout it makes needless.
    // The timeout is unref'd: open sockets keep a running endpoint alive, protocol timers alone
    // do not. The immediate is not: an unref'd one would let the poll phase block past it.
    let due: NodeJS.Immediate | undefined;
    const t = setTimeout(() => {
      due = setImmediate(fn);
    }, ms).unref();
    return {
      cancel: () => {
        clearTimeout(t);
        if (due !== undefined) clearImmediate(due);
      },
    };
  },
};

export interface TimerValues {
  /** RTT estimate (500 ms). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (4 s). */
  t2: number;
  /** Maximum duration a message remains in the network (5 s). */
  t4: number;
}

export const DEFAULT_TIMER_VALUES: TimerValues = { t1: 500, t2: 4000, t4: 5000 };
