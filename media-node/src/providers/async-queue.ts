/**
 * A push-to-pull queue: producers push values, one consumer iterates; ends or fails once.
 *
 * The iterator is written out rather than an async generator: every TTS chunk, STT result and
 * LLM token of every call passes through one, and a generator's suspend and resume allocate
 * several objects per value that the media node's minor GCs then have to sweep.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter:
    { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private done = false;
  private failure: { error: Error } | undefined;
  private closed = false;

  /** `onClose` runs once when the consumer is finished: end, failure or an early `break`. */
  constructor(private readonly onClose?: () => void) {}

  push(item: T): void {
    if (this.done) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  end(): void {
    this.done = true;
    this.settleWaiter();
  }

  fail(error: Error): void {
    if (this.done) return;
    this.failure = { error };
    this.done = true;
    this.settleWaiter();
  }

  get ended(): boolean {
    return this.done;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.items.length > 0)
          return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.done) return this.finish();
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      return: (): Promise<IteratorResult<T>> => {
        this.done = true;
        this.failure = undefined;
        this.items.length = 0;
        this.settleWaiter();
        return this.finish();
      },
    };
  }

  /** Answers a consumer waiting on an empty queue that has just ended or failed. */
  private settleWaiter(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    this.finish().then(w.resolve, w.reject);
  }

  /** The last answer: the failure once, then done. */
  private finish(): Promise<IteratorResult<T>> {
    this.close();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) return Promise.reject(failure.error);
    return Promise.resolve({ value: undefined, done: true });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }
}
