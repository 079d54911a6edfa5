/**
 * The production turn detector: WebRTC VAD (sync, per frame) decides speech onset, so barge-in
 * reacts within a frame or two; Silero probabilities (async, from the worker) decide when the
 * caller's silence has lasted `endOfTurnMs` (between its windows, frames the WebRTC VAD hears as
 * silence carry that silence on). Silence is counted from where the frames' level says the speech
 * stopped, not from Silero's slower fall (speech-end.ts). If the Silero worker fails, the frame
 * classifier takes over end-of-turn too.
 */
import { FRAME_MS } from '../audio/format.js';
import { SpeechEndLocator } from './speech-end.js';
import type { SileroVadService } from './silero-vad.js';
import { TurnDetector } from './turn-detector.js';
import {
  createTurnState,
  resolveTurnParams,
  stepEnd,
  stepOnset,
  type TurnParams,
} from './turn-state.js';
import type { FrameClassifier } from './types.js';

export interface SileroTurnDetectorOptions extends Partial<TurnParams> {
  onset: FrameClassifier & { close?(): void };
  silero: SileroVadService;
  /** Speech above this probability; while speaking, below `threshold - 0.15` is silence. */
  threshold?: number;
}

class SileroTurnDetector extends TurnDetector {
  readonly #options: SileroTurnDetectorOptions;
  readonly #params: TurnParams;
  readonly #threshold: number;
  readonly #speechEnd = new SpeechEndLocator();
  readonly #state = createTurnState();
  readonly #stream: ReturnType<SileroVadService['openStream']>;
  /** End of Silero's last window when it heard silence there (else -Infinity). */
  #sileroSilentUntil = -Infinity;
  /** Start of the current run of frames the frame VAD hears as silence. */
  #quietSince: number | undefined;

  constructor(options: SileroTurnDetectorOptions) {
    super();
    this.#options = options;
    this.#params = resolveTurnParams(options);
    this.#threshold = options.threshold ?? 0.5;
    this.#stream = options.silero.openStream((probability, atMs, durationMs) => {
      const state = this.#state;
      const speech = probability >= (state.speaking ? this.#threshold - 0.15 : this.#threshold);
      this.#sileroSilentUntil = speech ? -Infinity : atMs + durationMs;
      const endsAt = this.#speechEnd.locate(atMs + durationMs);
      this.report(stepEnd(state, speech, atMs, this.#params, durationMs, endsAt));
    });
  }

  push(frame: Int16Array, atMs: number, onsetSpeech?: boolean): void {
    const { onset, silero } = this.#options;
    const state = this.#state;
    this.#speechEnd.push(frame, atMs);
    const speech = onsetSpeech ?? onset.isSpeech(frame);
    this.speech = speech;
    this.#quietSince = speech ? undefined : (this.#quietSince ?? atMs);
    this.report(stepOnset(state, speech, atMs, this.#params));
    if (silero.failed) {
      const endsAt = this.#speechEnd.locate(atMs + FRAME_MS);
      this.report(stepEnd(state, speech, atMs, this.#params, FRAME_MS, endsAt));
    } else {
      this.#stream.push(frame, atMs);
      // Silero answers per 32 ms window, from a worker. When the frame VAD has heard silence
      // without a break since before the end of Silero's last silent window, each frame carries
      // that silence on: the end of turn lands on the frame, not on the next Silero answer.
      if (this.#quietSince !== undefined && this.#quietSince <= this.#sileroSilentUntil) {
        this.report(stepEnd(state, false, atMs, this.#params, FRAME_MS));
      }
    }
  }

  close(): void {
    this.#stream.close();
    this.#options.onset.close?.();
  }
}

export function createSileroTurnDetector(options: SileroTurnDetectorOptions): TurnDetector {
  return new SileroTurnDetector(options);
}
