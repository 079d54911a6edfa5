/**
 * Where the caller's speech really stopped. VADs smooth their verdicts: WebRTC VAD keeps saying
 * "speech" for about 100 ms after the voice stops (its hangover), and Silero's probability takes
 * two or three 32 ms windows to fall. Counting the end-of-turn silence from their last speech
 * verdict adds that hangover to the configured silence on every turn.
 *
 * The locator follows each frame's level against the line's noise floor (the quietest frame of the
 * last two seconds, with digital silence assumed before the call) and moves a VAD's speech end
 * back to the end of the last frame that stood clear of the floor, by at most `maxTrimMs`. The VAD
 * still decides what is speech and when silence has begun; the level only says where the speech
 * ended. Until the floor has found a noisy line's hiss, every frame stands clear of it and the
 * VAD's own end is kept.
 */
import { FRAME_MS } from '../audio/format.js';

export interface SpeechEndLocatorOptions {
  /** How far back a VAD's speech end may move (default 120 ms, a little over its hangover). */
  maxTrimMs?: number;
  /** How far above the noise floor a frame must be to count as voice (default 10 dB). */
  marginDb?: number;
}

/** Mean square of a signal of 1 LSB RMS: the lowest floor (about -90 dBFS). */
const MIN_FLOOR_POWER = 1;
/** The floor is the minimum over BLOCKS blocks of BLOCK_FRAMES frames (2 s). */
const BLOCK_FRAMES = 25;
const BLOCKS = 4;

export class SpeechEndLocator {
  readonly #maxTrimMs: number;
  readonly #margin: number;
  /** Quietest frame power of each finished block, oldest overwritten first. */
  readonly #blockMin = new Float64Array(BLOCKS).fill(MIN_FLOOR_POWER);
  #block = 0;
  #current = Infinity;
  #inBlock = 0;
  #voicedUntilMs = -Infinity;

  constructor(options: SpeechEndLocatorOptions = {}) {
    this.#maxTrimMs = options.maxTrimMs ?? 120;
    this.#margin = 10 ** ((options.marginDb ?? 10) / 10);
  }

  /** Feeds the frame starting at `atMs` (every frame, speech or not, in order). */
  push(frame: Int16Array, atMs: number): void {
    let sum = 0;
    for (let i = 0; i < frame.length; i++) {
      const s = frame[i]!;
      sum += s * s;
    }
    const power = Math.max(MIN_FLOOR_POWER, sum / Math.max(1, frame.length));
    let floor = this.#current;
    for (let b = 0; b < BLOCKS; b++) floor = Math.min(floor, this.#blockMin[b]!);
    if (power > floor * this.#margin) this.#voicedUntilMs = atMs + FRAME_MS;
    this.#current = Math.min(this.#current, power);
    if (++this.#inBlock === BLOCK_FRAMES) {
      this.#blockMin[this.#block] = this.#current;
      this.#block = (this.#block + 1) % BLOCKS;
      this.#current = Infinity;
      this.#inBlock = 0;
    }
  }

  /** The speech end to use for a VAD's speech verdict ending at `vadEndMs`. */
  locate(vadEndMs: number): number {
    return Math.min(vadEndMs, Math.max(this.#voicedUntilMs, vadEndMs - this.#maxTrimMs));
  }
}
