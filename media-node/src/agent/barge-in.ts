/**
 * When caller speech over the agent is a barge-in. At the speech onset the agent pauses (the RTP
 * thread has already held playback at that frame); the speech interrupts it only once it has
 * lasted `minSpeechMs`. Speech that stops sooner (line noise, a cough, a short "hello?") was not an
 * interruption: after `RESUME_AFTER_SILENCE_MS` of silence the agent goes on from where it paused.
 * Pure: fed one onset verdict per 20 ms frame, it answers what to do.
 */
import { FRAME_MS } from '../audio/format.js';

export interface BargeInPolicy {
  /** Speech, counted from its onset, before it interrupts the agent (pipeline.bargeIn). */
  minSpeechMs: number;
  /** Whether speech or a key press can interrupt the greeting. */
  greetingInterruptible: boolean;
}

/**
 * Silence that ends speech too short to interrupt. Longer than the gaps WebRTC VAD hears between
 * the words of one phrase, short enough that a resumed reply leaves no gap a caller would mind.
 */
export const RESUME_AFTER_SILENCE_MS = 200;

export type BargeInVerdict = 'wait' | 'interrupt' | 'resume';

/** One stretch of caller speech over the agent, from its onset until it interrupts or is over. */
export class BargeInCandidate {
  readonly onsetAtMs: number;
  /** When playback stopped for it (at the onset frame when the RTP thread held it there). */
  readonly pausedAtMs: number;
  readonly #minSpeechMs: number;
  #speechMs: number;
  #silenceMs = 0;

  /**
   * `onsetAtMs`: the first speech frame of the onset; `onsetEndMs`: the end of the frame that
   * completed it (the onset's frames count as speech).
   */
  constructor(onsetAtMs: number, onsetEndMs: number, pausedAtMs: number, minSpeechMs: number) {
    this.onsetAtMs = onsetAtMs;
    this.pausedAtMs = pausedAtMs;
    this.#minSpeechMs = minSpeechMs;
    this.#speechMs = onsetEndMs - onsetAtMs;
  }

  /** Speech heard so far, ms. */
  get speechMs(): number {
    return this.#speechMs;
  }

  /** Whether the onset alone already interrupts (minSpeechMs no longer than the onset). */
  get interruptsAtOnset(): boolean {
    return this.#speechMs >= this.#minSpeechMs;
  }

  /** The verdict after the next frame: speech or not, `frameMs` long. */
  step(speech: boolean, frameMs: number = FRAME_MS): BargeInVerdict {
    if (speech) {
      this.#speechMs += frameMs;
      this.#silenceMs = 0;
      return this.#speechMs >= this.#minSpeechMs ? 'interrupt' : 'wait';
    }
    this.#silenceMs += frameMs;
    return this.#silenceMs >= RESUME_AFTER_SILENCE_MS ? 'resume' : 'wait';
  }
}

/** Whether the agent may be interrupted now: always, except during a protected greeting. */
export function mayInterrupt(policy: BargeInPolicy, greetingPlaying: boolean): boolean {
  return policy.greetingInterruptible || !greetingPlaying;
}
