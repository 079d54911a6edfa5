/**
 * Admission in shared memory: the event loop publishes whether the node takes calls and how many
 * it has; the RTP thread, which answers plain new calls on arrival (worker/answer-on-arrival.ts),
 * takes a slot here for each call it answers, and the event loop gives the slot back once it has
 * counted that call as its own. Both sides then see every call: the event loop's `pending` adds
 * the slots taken and not yet handed over, and the thread admits only while published calls plus
 * those slots stay below capacity. The board starts closed: nothing is answered on arrival until
 * the event loop publishes.
 */

const OPEN = 0;
const CAPACITY = 1;
const ACTIVE = 2;
const PENDING = 3;

export class AdmissionBoard {
  readonly #cells: Int32Array;

  /** A new board, or a view of the one whose `buffer` the other thread made. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * 4)) {
    this.#cells = new Int32Array(buffer);
  }

  /** Event loop: whether a new call would be accepted, the capacity, and the calls it counts. */
  publish(state: { accepting: boolean; maxCalls: number; activeCalls: number }): void {
    Atomics.store(this.#cells, CAPACITY, state.maxCalls);
    Atomics.store(this.#cells, ACTIVE, state.activeCalls);
    Atomics.store(this.#cells, OPEN, state.accepting ? 1 : 0);
  }

  /** Calls answered on arrival that the event loop has not counted yet. */
  get pending(): number {
    return Atomics.load(this.#cells, PENDING);
  }

  /** RTP thread: takes a slot for a call it is about to answer; false when the node is closed or full. */
  tryTake(): boolean {
    if (Atomics.load(this.#cells, OPEN) === 0) return false;
    const taken = Atomics.add(this.#cells, PENDING, 1);
    if (Atomics.load(this.#cells, ACTIVE) + taken < Atomics.load(this.#cells, CAPACITY))
      return true;
    Atomics.sub(this.#cells, PENDING, 1);
    return false;
  }

  /** Gives a slot back: the thread did not answer after all, or the event loop counts the call now. */
  release(): void {
    Atomics.sub(this.#cells, PENDING, 1);
  }
}
