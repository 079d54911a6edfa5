// Single-producer, single-consumer rings of 20 ms frames in shared memory, for handing audio
// between the event loop and the RTP thread without a message per frame. Each slot holds one
// frame (PCM16, 160 samples), a tag (an int the two sides agree on) and a time. The producer
// writes a slot, then publishes it by advancing `write`; the consumer reads it, then frees it by
// advancing `read` (both with Atomics, so the slot's contents are visible before its index is).
// Indices count frames since the ring was made and wrap at 2^32; the slot is the index modulo the
// (power-of-two) capacity.

import { FRAME_SAMPLES } from '../audio/format.js';

const WRITE = 0;
const READ = 1;
const CONTROL_WORDS = 2;

/** Bytes a ring of `slots` frames takes in a SharedArrayBuffer (a multiple of 8). */
export function frameRingBytes(slots: number): number {
  return align8(CONTROL_WORDS * 4) + slots * (8 + 4 + FRAME_SAMPLES * 2);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

export class FrameRing {
  readonly slots: number;
  private readonly mask: number;
  private readonly control: Int32Array;
  private readonly times: Float64Array;
  private readonly tags: Int32Array;
  /** Every slot's samples, one after the other. */
  private readonly samples: Int16Array;
  /** The consumer's copy of the frame it reads (see `frame`). */
  private readonly out = new Int16Array(FRAME_SAMPLES);

  /** A ring of `slots` frames (a power of two) at `offset` of `buffer`. */
  constructor(buffer: SharedArrayBuffer, offset: number, slots: number) {
    if (slots <= 0 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`a frame ring has a power-of-two number of slots, not ${slots}`);
    }
    this.slots = slots;
    this.mask = slots - 1;
    this.control = new Int32Array(buffer, offset, CONTROL_WORDS);
    let at = offset + align8(CONTROL_WORDS * 4);
    this.times = new Float64Array(buffer, at, slots);
    at += slots * 8;
    this.tags = new Int32Array(buffer, at, slots);
    at += slots * 4;
    // No view per slot: a ring is made for every call on both sides, and hundreds of views per
    // call outlive the young generation only to die with the call (old-generation garbage).
    this.samples = new Int16Array(buffer, at, slots * FRAME_SAMPLES);
  }

  /** Frames written and not yet read. */
  get length(): number {
    return (Atomics.load(this.control, WRITE) - Atomics.load(this.control, READ)) >>> 0;
  }

  /** Index (an int32 that wraps) of the next frame to be written: the producer's position. */
  get writeIndex(): number {
    return Atomics.load(this.control, WRITE);
  }

  // ---- producer ------------------------------------------------------------------------------

  /** Copies `frame` into the next slot and publishes it; false (nothing written) when full. */
  write(frame: Int16Array, tag: number, atMs: number): boolean {
    const w = Atomics.load(this.control, WRITE);
    if ((w - Atomics.load(this.control, READ)) >>> 0 >= this.slots) return false;
    const slot = w & this.mask;
    this.samples.set(frame, slot * FRAME_SAMPLES);
    this.tags[slot] = tag;
    this.times[slot] = atMs;
    Atomics.store(this.control, WRITE, (w + 1) | 0);
    return true;
  }

  // ---- consumer ------------------------------------------------------------------------------

  /** The slot of the oldest unread frame, or -1 when the ring is empty. Free it with `release`. */
  peek(): number {
    const r = Atomics.load(this.control, READ);
    return r === Atomics.load(this.control, WRITE) ? -1 : r & this.mask;
  }

  /** The frame in `slot`, copied into storage the next call of `frame` rewrites. */
  frame(slot: number): Int16Array {
    const { samples, out } = this;
    const from = slot * FRAME_SAMPLES;
    for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = samples[from + i]!;
    return out;
  }

  tag(slot: number): number {
    return this.tags[slot]!;
  }

  time(slot: number): number {
    return this.times[slot]!;
  }

  /** Frees the oldest frame (after `peek`). */
  release(): void {
    Atomics.store(this.control, READ, (Atomics.load(this.control, READ) + 1) | 0);
  }

  /**
   * Drops every frame written before index `index` (as given by `writeIndex`) that is still
   * unread; frames written after it stay. Consumer side.
   */
  skipTo(index: number): void {
    const r = Atomics.load(this.control, READ);
    if ((((index | 0) - r) | 0) > 0) Atomics.store(this.control, READ, index | 0);
  }
}
