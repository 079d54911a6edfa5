/** Voice activity interfaces shared by the detectors and the agent loop. */

/** Classifies one 20 ms frame (8 kHz PCM16) as speech or not, synchronously. */
export interface FrameClassifier {
  isSpeech(frame: Int16Array): boolean;
}

/** What a turn detector tells the agent. Times are the frames' own timestamps (ms). */
export type TurnDetectorEvents = {
  /** Caller speech began (used for barge-in); `atMs` is the first speech frame's time. */
  speechStart: [atMs: number];
  /** The caller stopped speaking for `endOfTurnMs`; `atMs` is the end of the last speech frame. */
  endOfTurn: [atMs: number];
  /**
   * The caller has been silent for the pause before the end of turn: the turn will probably end
   * (`atMs` as for endOfTurn). Followed by endOfTurn, or by resume if the caller goes on.
   */
  pause: [atMs: number];
  /** The caller spoke again after a pause; the turn goes on. */
  resume: [atMs: number];
};

import type { TurnDetector } from './turn-detector.js';

export type { TurnDetector };

/** Creates one call's detector. */
export type TurnDetectorFactory = () => TurnDetector;
