// The outbound queue of one call: frames are encoded when written (so the writer may reuse its
// buffer) into payload buffers that are recycled, and taken one per tick by the session. A
// one-shot "first frame sent" callback is attached to the next frame written after it is asked for.

import type { Codec } from './codec.js';

interface Item {
  payload: Uint8Array;
  length: number;
  onSent: ((sentAtMs: number) => void) | undefined;
}

export class PlayoutQueue {
  private readonly items: Item[] = [];
  private head = 0;
  private readonly free: Uint8Array[] = [];
  private pendingCallback: ((sentAtMs: number) => void) | undefined;

  constructor(private codec: Codec) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Encodes and queues a frame. */
  write(frame: Int16Array): void {
    const payload = this.free.pop() ?? new Uint8Array(this.codec.maxPayloadBytes);
    const length = this.codec.encode(frame, payload);
    this.items.push({ payload, length, onSent: this.pendingCallback });
    this.pendingCallback = undefined;
  }

  /** Attaches `callback` to the next frame written. */
  onFirstFrameSent(callback: (sentAtMs: number) => void): void {
    this.pendingCallback = callback;
  }

  /** Takes the oldest frame; return its payload with `recycle()` once sent. */
  shift(): Item | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 256 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  recycle(payload: Uint8Array): void {
    if (this.free.length < 64) this.free.push(payload);
  }

  /** Drops every queued frame and any callback not yet attached or fired. */
  clear(): void {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i];
      if (item) this.recycle(item.payload);
    }
    this.items.length = 0;
    this.head = 0;
    this.pendingCallback = undefined;
  }

  /** Switches codec (after a re-INVITE); queued audio is dropped as it was encoded for the old one. */
  setCodec(codec: Codec): void {
    this.clear();
    this.free.length = 0;
    this.codec = codec;
  }
}
