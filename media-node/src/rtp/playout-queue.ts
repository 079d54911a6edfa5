// The outbound queue of one call: frames are encoded when written (so the writer may reuse its
// buffer) into a ring of payload slots, and taken one per tick by the session. A one-shot "first
// frame sent" callback is attached to the next frame written after it is asked for.
//
// The ring's storage and lengths are allocated once and grow by doubling when a reply is queued
// faster than it plays: a queued frame is no object of its own (not even a view on its slot), so a
// second of queued speech per call gives the garbage collector nothing to copy.

import type { Codec } from './codec.js';

/** The frame `take` hands out; `payload` is the queue's, valid until the next `take`. */
export interface TakenFrame {
  payload: Uint8Array;
  length: number;
  onSent: ((sentAtMs: number) => void) | undefined;
}

const INITIAL_SLOTS = 64; // 1.28 s of 20 ms frames

export class PlayoutQueue {
  private slotBytes: number;
  private lengths: Int32Array;
  private storage: Uint8Array;
  /** Where `take` copies the frame it hands out. */
  private out: Uint8Array;
  /** Where `write` encodes a frame before it goes into its slot (no view per write). */
  private encoded: Uint8Array;
  private callbacks: (((sentAtMs: number) => void) | undefined)[];
  private head = 0;
  private count = 0;
  private pendingCallback: ((sentAtMs: number) => void) | undefined;

  constructor(private codec: Codec) {
    this.slotBytes = codec.maxPayloadBytes;
    this.lengths = new Int32Array(0);
    this.storage = new Uint8Array(0);
    this.out = new Uint8Array(this.slotBytes);
    this.encoded = new Uint8Array(this.slotBytes);
    this.callbacks = [];
    this.allocate(INITIAL_SLOTS);
  }

  get length(): number {
    return this.count;
  }

  /** Encodes and queues a frame. */
  write(frame: Int16Array): void {
    if (this.count === this.lengths.length) this.allocate(2 * this.lengths.length);
    const i = (this.head + this.count) % this.lengths.length;
    const { storage, encoded } = this;
    const length = this.codec.encode(frame, encoded);
    const to = i * this.slotBytes;
    for (let k = 0; k < length; k++) storage[to + k] = encoded[k]!;
    this.lengths[i] = length;
    this.callbacks[i] = this.pendingCallback;
    this.pendingCallback = undefined;
    this.count++;
  }

  /** Attaches `callback` to the next frame written. */
  onFirstFrameSent(callback: (sentAtMs: number) => void): void {
    this.pendingCallback = callback;
  }

  /** Moves the oldest frame into `out`; false when the queue is empty. */
  take(out: TakenFrame): boolean {
    if (this.count === 0) return false;
    const i = this.head;
    const length = this.lengths[i]!;
    const { storage, out: copy } = this;
    const from = i * this.slotBytes;
    for (let k = 0; k < length; k++) copy[k] = storage[from + k]!;
    out.payload = copy;
    out.length = length;
    out.onSent = this.callbacks[i];
    this.callbacks[i] = undefined;
    this.head = (i + 1) % this.lengths.length;
    this.count--;
    return true;
  }

  /** Drops every queued frame and any callback not yet attached or fired. */
  clear(): void {
    this.callbacks.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.pendingCallback = undefined;
  }

  /** Switches codec (after a re-INVITE); queued audio is dropped as it was encoded for the old one. */
  setCodec(codec: Codec): void {
    this.clear();
    this.codec = codec;
    if (codec.maxPayloadBytes !== this.slotBytes) {
      this.slotBytes = codec.maxPayloadBytes;
      this.out = new Uint8Array(this.slotBytes);
      this.encoded = new Uint8Array(this.slotBytes);
      this.allocate(this.lengths.length);
    }
  }

  /** (Re)allocates `slots` slots, keeping the queued frames in order from slot 0. */
  private allocate(slots: number): void {
    const storage = new Uint8Array(slots * this.slotBytes);
    const lengths = new Int32Array(slots);
    const callbacks = new Array<((sentAtMs: number) => void) | undefined>(slots).fill(undefined);
    for (let k = 0; k < this.count; k++) {
      const from = (this.head + k) % this.lengths.length;
      const at = from * this.slotBytes;
      storage.set(this.storage.subarray(at, at + this.slotBytes), k * this.slotBytes);
      lengths[k] = this.lengths[from]!;
      callbacks[k] = this.callbacks[from];
    }
    this.lengths = lengths;
    this.storage = storage;
    this.callbacks = callbacks;
    this.head = 0;
  }
}
