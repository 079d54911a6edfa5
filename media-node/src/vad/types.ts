/** Voice activity interfaces shared by the detectors and the agent loop. */

/** Classifies one 20 ms frame (8 kHz PCM16) as speech or not, synchronously. */
export interface FrameClassifier {
  isSpeech(frame: Int16Array): boolean;
}

/** What a turn detector tells the agent. Times are the frames' own timestamps (ms). */
export interface TurnDetectorEvents {
  /** Caller speech began (used for barge-in); `atMs` is the first speech frame's time. */
  onSpeechStart(atMs: number): void;
  /** The caller stopped speaking for `endOfTurnMs`; `atMs` is the end of the last speech frame. */
  onEndOfTurn(atMs: number): void;
  /**
   * The caller has been silent for the pause before the end of turn: the turn will probably end
   * (`atMs` as for onEndOfTurn). Followed by onEndOfTurn, or by onResume if the caller goes on.
   */
  onPause?(atMs: number): void;
  /** The caller spoke again after onPause; the turn goes on. */
  onResume?(atMs: number): void;
}

export interface TurnDetector {
  /**
   * Feeds a frame with its arrival time in ms. `speech`, when given, is the verdict of the
   * detector's own onset classifier on this frame, computed elsewhere on the same frames in the
   * same order (the RTP thread runs it for barge-in, vad/onset.ts): the detector takes it instead
   * of classifying the frame again.
   */
  push(frame: Int16Array, atMs: number, speech?: boolean): void;
  close(): void;
}

export type TurnDetectorFactory = (events: TurnDetectorEvents) => TurnDetector;
