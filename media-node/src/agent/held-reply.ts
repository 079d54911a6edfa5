/**
 * A reply prepared while the caller pauses, before the turn has really ended: its audio is held
 * back until the end of turn confirms it (release: the held frames go out at once) or the caller
 * speaks again (drop: nothing was heard, nothing is kept).
 */
import { FrameLog } from './caller-audio.js';
import type { AudioSink } from './types.js';

/** More than any reply a pause could prepare (60 s): the log stops there. */
const MAX_HELD_FRAMES = 3000;

export class HeldReply {
  readonly #target: AudioSink;
  // Frames are copied into 1 s blocks (the writer's frame may be a reused buffer), not one array
  // each: a held reply lives for the caller's pause, long enough to be copied by every minor GC.
  #held = new FrameLog(MAX_HELD_FRAMES);
  /** Frame index -> its sent callback (the reply's first frame has one). */
  #callbacks = new Map<number, (sentAtMs: number) => void>();
  #state: 'held' | 'released' | 'dropped' = 'held';
  #decide: (released: boolean) => void = () => undefined;
  /** Resolves true on release, false on drop. */
  readonly decided: Promise<boolean>;

  constructor(target: AudioSink) {
    this.#target = target;
    this.decided = new Promise((resolve) => (this.#decide = resolve));
  }

  get released(): boolean {
    return this.#state === 'released';
  }

  get dropped(): boolean {
    return this.#state === 'dropped';
  }

  get heldFrames(): number {
    return this.#held.length;
  }

  /** The sink the reply speaks into. */
  readonly sink: AudioSink = {
    write: (frame, onSent) => {
      if (this.#state === 'released') this.#target.write(frame, onSent);
      else if (this.#state === 'held') {
        if (onSent) this.#callbacks.set(this.#held.length, onSent);
        this.#held.push(frame);
      }
    },
    clear: () => {
      if (this.#state === 'released') this.#target.clear();
      else this.#forget();
    },
    // Held audio is not playing: only a released reply has playback to pause.
    pause: () => (this.#state === 'released' ? this.#target.pause() : undefined),
    resume: () => {
      if (this.#state === 'released') this.#target.resume();
    },
  };

  release(): void {
    if (this.#state !== 'held') return;
    this.#state = 'released';
    let index = 0;
    for (const frame of this.#held.frames())
      this.#target.write(frame, this.#callbacks.get(index++));
    this.#forget();
    this.#decide(true);
  }

  drop(): void {
    if (this.#state !== 'held') return;
    this.#state = 'dropped';
    this.#forget();
    this.#decide(false);
  }

  #forget(): void {
    this.#held = new FrameLog(MAX_HELD_FRAMES);
    this.#callbacks.clear();
  }
}
