// Frames of the agent's speech waiting on the event loop's side for room in a session's outbound
// ring; the thread asks for them as the ring empties.
import { FRAME_SAMPLES } from '../../audio/format.js';

/** Frames waiting on the event loop's side for room in the outbound ring, in order. */
export class WaitingFrames {
  private samples = new Int16Array(0);
  private tags = new Int32Array(0);
  private head = 0;
  length = 0;

  push(frame: Int16Array, tag: number): void {
    const slots = this.tags.length;
    if (this.length === slots) this.grow(Math.max(64, 2 * slots));
    const i = (this.head + this.length) % this.tags.length;
    this.samples.set(frame, i * FRAME_SAMPLES);
    this.tags[i] = tag;
    this.length++;
  }

  /** The oldest frame (a view, valid until the next push) and its tag. */
  peek(): { frame: Int16Array; tag: number } | undefined {
    if (this.length === 0) return undefined;
    const i = this.head;
    return {
      frame: this.samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES),
      tag: this.tags[i]!,
    };
  }

  shift(): void {
    this.head = (this.head + 1) % this.tags.length;
    this.length--;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(slots: number): void {
    const samples = new Int16Array(slots * FRAME_SAMPLES);
    const tags = new Int32Array(slots);
    for (let k = 0; k < this.length; k++) {
      const from = (this.head + k) % this.tags.length;
      samples.set(
        this.samples.subarray(from * FRAME_SAMPLES, (from + 1) * FRAME_SAMPLES),
        k * FRAME_SAMPLES,
      );
      tags[k] = this.tags[from]!;
    }
    this.samples = samples;
    this.tags = tags;
    this.head = 0;
  }
}
