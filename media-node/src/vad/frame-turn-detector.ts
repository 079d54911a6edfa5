/**
 * A turn detector over synchronous classifiers: `onset` decides speech start (barge-in), `end`
 * (default the same) decides the silence that ends the turn, counted from where the frames' level
 * says the speech stopped (speech-end.ts).
 */
import { FRAME_MS } from '../audio/format.js';
import { SpeechEndLocator } from './speech-end.js';
import { TurnDetector } from './turn-detector.js';
import {
  createTurnState,
  resolveTurnParams,
  stepEnd,
  stepOnset,
  type TurnParams,
} from './turn-state.js';
import type { FrameClassifier } from './types.js';

export interface FrameTurnDetectorOptions extends Partial<TurnParams> {
  /** Closed with the detector, when it can be. */
  onset: FrameClassifier & { close?(): void };
  end?: FrameClassifier;
}

class FrameTurnDetector extends TurnDetector {
  readonly #params: TurnParams;
  readonly #onset: FrameTurnDetectorOptions['onset'];
  readonly #end: FrameClassifier;
  readonly #speechEnd = new SpeechEndLocator();
  readonly #state = createTurnState();

  constructor(options: FrameTurnDetectorOptions) {
    super();
    this.#params = resolveTurnParams(options);
    this.#onset = options.onset;
    this.#end = options.end ?? options.onset;
  }

  push(frame: Int16Array, atMs: number, speech?: boolean): void {
    this.#speechEnd.push(frame, atMs);
    const onsetSpeech = speech ?? this.#onset.isSpeech(frame);
    this.speech = onsetSpeech;
    const a = stepOnset(this.#state, onsetSpeech, atMs, this.#params);
    const endSpeech = this.#end === this.#onset ? onsetSpeech : this.#end.isSpeech(frame);
    const heard = endSpeech || a.type === 'speech-start';
    const endsAt = this.#speechEnd.locate(atMs + FRAME_MS);
    const b = stepEnd(this.#state, heard, atMs, this.#params, FRAME_MS, endsAt);
    this.report(a);
    this.report(b);
  }

  close(): void {
    this.#onset.close?.();
  }
}

export function createFrameTurnDetector(options: FrameTurnDetectorOptions): TurnDetector {
  return new FrameTurnDetector(options);
}
