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
import {
  createTurnState,
  resolveTurnParams,
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
  const params = resolveTurnParams(options);
  const threshold = options.threshold ?? 0.5;
  const speechEnd = new SpeechEndLocator();
  const state = createTurnState();
  /** End of Silero's last window when it heard silence there (else -Infinity). */
  let sileroSilentUntil = -Infinity;
  /** Start of the current run of frames the frame VAD hears as silence. */
  let quietSince: number | undefined;
  const stream = options.silero.openStream((probability, atMs, durationMs) => {
    const speech = probability >= (state.speaking ? threshold - 0.15 : threshold);
    sileroSilentUntil = speech ? -Infinity : atMs + durationMs;
    const endsAt = speechEnd.locate(atMs + durationMs);
    emitTurnStep(stepEnd(state, speech, atMs, params, durationMs, endsAt), events);
  });
  return {
    push(frame, atMs, onsetSpeech) {
      speechEnd.push(frame, atMs);
      const speech = onsetSpeech ?? options.onset.isSpeech(frame);
      quietSince = speech ? undefined : (quietSince ?? atMs);
      emitTurnStep(stepOnset(state, speech, atMs, params), events);
      if (options.silero.failed) {
        const endsAt = speechEnd.locate(atMs + FRAME_MS);
        emitTurnStep(stepEnd(state, speech, atMs, params, FRAME_MS, endsAt), events);
      } else {
        stream.push(frame, atMs);
        // Silero answers per 32 ms window, from a worker. When the frame VAD has heard silence
        // without a break since before the end of Silero's last silent window, each frame carries
        // that silence on: the end of turn lands on the frame, not on the next Silero answer.
        if (quietSince !== undefined && quietSince <= sileroSilentUntil) {
          emitTurnStep(stepEnd(state, false, atMs, params, FRAME_MS), events);
        }
      }
    },
    close() {
      stream.close();
      options.onset.close?.();
    },
  };
}
