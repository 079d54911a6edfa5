/**
 * The production turn detector: WebRTC VAD (sync, per frame) decides speech onset, so barge-in
 * reacts within a frame or two; Silero probabilities (async, from the worker) decide when the
 * caller's silence has lasted `endOfTurnMs`. If the Silero worker fails, the frame classifier
 * takes over end-of-turn too.
 */
import { FRAME_MS } from '../audio/format.js';
import type { SileroVadService } from './silero-vad.js';
import {
  INITIAL_TURN_STATE,
  defaultPauseMs,
  emitTurnStep,
  stepEnd,
  stepOnset,
  type TurnParams,
} from './turn-state.js';
import type { FrameClassifier, TurnDetector, TurnDetectorEvents } from './types.js';

export interface SileroTurnDetectorOptions extends Partial<TurnParams> {
  onset: FrameClassifier & { close?(): void };
  silero: SileroVadService;
  /** Speech above this probability; while speaking, below `threshold - 0.15` is silence. */
  threshold?: number;
}

export function createSileroTurnDetector(
  options: SileroTurnDetectorOptions,
  events: TurnDetectorEvents,
): TurnDetector {
  const endOfTurnMs = options.endOfTurnMs ?? 500;
  const params: TurnParams = {
    onsetFrames: options.onsetFrames ?? 3,
    endOfTurnMs,
    pauseMs: options.pauseMs ?? defaultPauseMs(endOfTurnMs),
  };
  const threshold = options.threshold ?? 0.5;
  let state = INITIAL_TURN_STATE;
  const stream = options.silero.openStream((probability, atMs, durationMs) => {
    const speech = probability >= (state.speaking ? threshold - 0.15 : threshold);
    const [next, step] = stepEnd(state, speech, atMs, params, durationMs);
    state = next;
    emitTurnStep(step, events);
  });
  return {
    push(frame, atMs) {
      const speech = options.onset.isSpeech(frame);
      const [next, step] = stepOnset(state, speech, atMs, params);
      state = next;
      emitTurnStep(step, events);
      if (options.silero.failed) {
        const [after, end] = stepEnd(state, speech, atMs, params, FRAME_MS);
        state = after;
        emitTurnStep(end, events);
      } else {
        stream.push(frame, atMs);
      }
    },
    close() {
      stream.close();
      options.onset.close?.();
    },
  };
}
