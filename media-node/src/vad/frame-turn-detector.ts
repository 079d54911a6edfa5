/**
 * A turn detector over synchronous classifiers: `onset` decides speech start (barge-in), `end`
 * (default the same) decides the silence that ends the turn.
 */
import {
  INITIAL_TURN_STATE,
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
  let state = INITIAL_TURN_STATE;
  return {
    push(frame, atMs) {
      const onsetSpeech = options.onset.isSpeech(frame);
      const [s1, a] = stepOnset(state, onsetSpeech, atMs, params);
      const endSpeech = end === options.onset ? onsetSpeech : end.isSpeech(frame);
      const [s2, b] = stepEnd(s1, endSpeech || a.type === 'speech-start', atMs, params);
      state = s2;
      emitTurnStep(a, events);
      emitTurnStep(b, events);
    },
    close() {},
  };
}
