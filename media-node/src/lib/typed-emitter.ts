// The one event emitter of the media node, typed by a map of event names to argument tuples:
//   type DialogEvents = { bye: []; info: [InfoEvent] };
//   class Dialog extends TypedEmitter<DialogEvents> { ... this.emit('info', event) ... }
// Unlike node:events there is no special 'error' event (emitting one nobody listens to is fine)
// and no listener limit. A listener that throws goes to `onListenerError`: by default the error
// goes on up through emit(), as with node:events; protocol code that emits from socket handlers
// sets it to log instead, so one listener's bug does not unwind the handler. emit() allocates
// nothing but its arguments (it runs for every caller frame of every call): listeners are kept in
// arrays that are replaced, never changed, when a listener comes or goes.

type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEmitter<E extends { [K in keyof E]: unknown[] }> {
  readonly #listeners = new Map<keyof E, readonly Listener<never[]>[]>();
  /** Where a listener's error goes; the default rethrows it to the emitter's caller. */
  onListenerError: (error: unknown, event: keyof E) => void = (error) => {
    throw error;
  };

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event) ?? [];
    this.#listeners.set(event, [...list, listener as unknown as Listener<never[]>]);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper: Listener<E[K]> = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    const rest = list.filter((l) => l !== (listener as unknown));
    if (rest.length > 0) this.#listeners.set(event, rest);
    else this.#listeners.delete(event);
    return this;
  }

  /** Drops the listeners of `event`, or of every event. */
  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.#listeners.get(event) as readonly Listener<E[K]>[] | undefined;
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(...args);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
