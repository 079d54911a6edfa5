/**
 * A call's turn detector: fed every caller frame, it emits speechStart (barge-in), pause, resume
 * and endOfTurn (TurnDetectorEvents). The detectors (frame-turn-detector.ts,
 * silero-turn-detector.ts) decide with the turn state machine (turn-state.ts) and report its
 * steps through `report`.
 */
import { TypedEmitter } from '../lib/typed-emitter.js';
import type { TurnStep } from './turn-state.js';
import type { TurnDetectorEvents } from './types.js';

export abstract class TurnDetector extends TypedEmitter<TurnDetectorEvents> {
  /** The onset classifier's verdict on the last frame pushed (the agent's barge-in follows it). */
  speech = false;

  /**
   * Feeds a frame with its arrival time in ms. `speech`, when given, is the verdict of the
   * detector's own onset classifier on this frame, computed elsewhere on the same frames in the
   * same order (the RTP thread runs it for barge-in, vad/onset.ts): the detector takes it instead
   * of classifying the frame again.
   */
  abstract push(frame: Int16Array, atMs: number, speech?: boolean): void;
  abstract close(): void;

  /** Emits what a step of the turn state machine found, if anything. */
  protected report(step: TurnStep): void {
    if (step.type === 'speech-start') this.emit('speechStart', step.atMs);
    else if (step.type === 'end-of-turn') this.emit('endOfTurn', step.atMs);
    else if (step.type === 'pause') this.emit('pause', step.atMs);
    else if (step.type === 'resume') this.emit('resume', step.atMs);
  }
}
