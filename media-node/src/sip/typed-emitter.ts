// A small typed event emitter: `type Events = { bye: [] ; info: [InfoEvent] }`.
// A listener that throws is reported through `onListenerError` instead of unwinding the caller
// (events are emitted from socket handlers).

type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEmitter<E extends { [K in keyof E]: unknown[] }> {
  #listeners = new Map<keyof E, Array<Listener<never[]>>>();
  onListenerError: (error: unknown) => void = () => undefined;

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const list = this.#listeners.get(event) ?? [];
    list.push(fn as unknown as Listener<never[]>);
    this.#listeners.set(event, list);
    return this;
  }

  once<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const wrapper: Listener<E[K]> = (...args) => {
      this.off(event, wrapper);
      fn(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (list)
      this.#listeners.set(
        event,
        list.filter((l) => l !== (fn as unknown)),
      );
    return this;
  }

  /** Drops the listeners of `event`, or of every event. */
  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (fn as unknown as Listener<E[K]>)(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
