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
    // Unref'd: open sockets keep a running endpoint alive, protocol timers alone do not.
    const t = setTimeout(fn, ms).unref();
    return { cancel: () => clearTimeout(t) };
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
