/**
 * Caller audio the agent keeps: the last second before speech onset (pre-roll) and the utterance
 * being heard (replayed to a new STT stream on a retry or resume). Frames are copied into storage
 * allocated once per call (pre-roll) or in 1 s blocks (utterance), so the RTP path's per-packet
 * frames die young: keeping them alive for seconds made every minor GC copy thousands of small
 * typed arrays and paused the event loop (and with it RTP pacing) for 10-20 ms.
 */
import { FRAME_SAMPLES } from '../audio/format.js';

/** The last `capacity` frames with their arrival times, overwritten in place. */
export class PreRollRing {
  readonly #slots: Int16Array[] = [];
  readonly #at: Float64Array;
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#at = new Float64Array(capacity);
  }

  push(frame: Int16Array, atMs: number): void {
    const slot = this.#slots[this.#next];
    if (slot && slot.length === frame.length) slot.set(frame);
    else this.#slots[this.#next] = frame.slice();
    this.#at[this.#next] = atMs;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Copies the frames that arrived at or after `fromMs`, oldest first, into `log`. */
  copySince(fromMs: number, log: FrameLog): void {
    const first = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let k = 0; k < this.#size; k++) {
      const i = (first + k) % this.capacity;
      const slot = this.#slots[i];
      if (slot && (this.#at[i] ?? -Infinity) >= fromMs) log.push(slot);
    }
  }
}

const BLOCK_SAMPLES = 50 * FRAME_SAMPLES; // 1 s

/** Append-only copy of frames (an utterance heard, a reply held), up to `maxFrames`. */
export class FrameLog {
  readonly #blocks: Int16Array[] = [];
  /** Per frame: block index, offset, length (a typed array: its storage is off the JS heap). */
  #index = new Int32Array(3 * 64);
  #frames = 0;
  #used = BLOCK_SAMPLES;

  constructor(readonly maxFrames: number) {}

  get length(): number {
    return this.#frames;
  }

  push(frame: Int16Array): void {
    if (this.#frames >= this.maxFrames) return;
    let block = this.#blocks[this.#blocks.length - 1];
    if (!block || this.#used + frame.length > block.length) {
      block = new Int16Array(Math.max(BLOCK_SAMPLES, frame.length));
      this.#blocks.push(block);
      this.#used = 0;
    }
    block.set(frame, this.#used);
    const at = 3 * this.#frames;
    if (at + 3 > this.#index.length) {
      const grown = new Int32Array(2 * this.#index.length);
      grown.set(this.#index);
      this.#index = grown;
    }
    this.#index[at] = this.#blocks.length - 1;
    this.#index[at + 1] = this.#used;
    this.#index[at + 2] = frame.length;
    this.#frames++;
    this.#used += frame.length;
  }

  /** The kept frames in order (views into the log's storage, which is never overwritten). */
  *frames(): Generator<Int16Array> {
    for (let i = 0; i < 3 * this.#frames; i += 3) {
      const block = this.#blocks[this.#index[i]!];
      const offset = this.#index[i + 1]!;
      if (block) yield block.subarray(offset, offset + this.#index[i + 2]!);
    }
  }
}
