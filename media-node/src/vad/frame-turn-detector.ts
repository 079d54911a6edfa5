/**
 * A turn detector over synchronous classifiers: `onset` decides speech start (barge-in), `end`
 * (default the same) decides the silence that ends the turn, counted from where the frames' level
 * says the speech stopped (speech-end.ts).
 */
import { FRAME_MS } from '../audio/format.js';
import { SpeechEndLocator } from './speech-end.js';
import {
  createTurnState,
  resolveTurnParams,
  emitTurnStep,
  stepEnd,
  stepOnset,
  type TurnParams,
} from './turn-state.js';
import type { FrameClassifier, TurnDetector, TurnDetectorEvents } from './types.js';

export interface FrameTurnDetectorOptions extends Partial<TurnParams> {
  onset: FrameClassifier;
  end?: FrameClassifier;
}

export function createFrameTurnDetector(
  options: FrameTurnDetectorOptions,
  events: TurnDetectorEvents,
): TurnDetector {
  const params = resolveTurnParams(options);
  const end = options.end ?? options.onset;
  const speechEnd = new SpeechEndLocator();
  const state = createTurnState();
  return {
    push(frame, atMs, speech) {
      speechEnd.push(frame, atMs);
      const onsetSpeech = speech ?? options.onset.isSpeech(frame);
      const a = stepOnset(state, onsetSpeech, atMs, params);
      const endSpeech = end === options.onset ? onsetSpeech : end.isSpeech(frame);
      const heard = endSpeech || a.type === 'speech-start';
      const endsAt = speechEnd.locate(atMs + FRAME_MS);
      const b = stepEnd(state, heard, atMs, params, FRAME_MS, endsAt);
      emitTurnStep(a, events);
      emitTurnStep(b, events);
    },
    close() {},
  };
}
