/**
 * A reply prepared while the caller pauses, before the turn has really ended: its audio is held
 * back until the end of turn confirms it (release: the held frames go out at once) or the caller
 * speaks again (drop: nothing was heard, nothing is kept).
 */
import type { AudioSink } from './types.js';

export class HeldReply {
  readonly #target: AudioSink;
  #held: { frame: Int16Array; onSent: (() => void) | undefined }[] = [];
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
      else if (this.#state === 'held') this.#held.push({ frame: frame.slice(), onSent });
    },
    clear: () => {
      if (this.#state === 'released') this.#target.clear();
      else this.#held = [];
    },
  };

  release(): void {
    if (this.#state !== 'held') return;
    this.#state = 'released';
    for (const { frame, onSent } of this.#held) this.#target.write(frame, onSent);
    this.#held = [];
    this.#decide(true);
  }

  drop(): void {
    if (this.#state !== 'held') return;
    this.#state = 'dropped';
    this.#held = [];
    this.#decide(false);
  }
}
