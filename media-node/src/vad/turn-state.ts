/**
 * The pure end-of-turn state machine: speech starts after `onsetFrames` consecutive speech frames;
 * the turn ends after `endOfTurnMs` without speech. Fed (isSpeech, atMs) per frame, returns what
 * happened. Onset and end may come from different classifiers (fast onset, careful end).
 */
import { FRAME_MS } from '../audio/format.js';

export interface TurnState {
  speaking: boolean;
  run: number;
  runStartMs: number;
  lastSpeechEndMs: number;
}

export const INITIAL_TURN_STATE: TurnState = {
  speaking: false,
  run: 0,
  runStartMs: 0,
  lastSpeechEndMs: 0,
};

export type TurnStep =
  { type: 'none' } | { type: 'speech-start'; atMs: number } | { type: 'end-of-turn'; atMs: number };

export interface TurnParams {
  onsetFrames: number;
  endOfTurnMs: number;
}

/** Advances on the onset classifier's verdict for the frame starting at `atMs`. */
export function stepOnset(
  state: TurnState,
  speech: boolean,
  atMs: number,
  p: TurnParams,
): [TurnState, TurnStep] {
  if (!speech) return [{ ...state, run: 0 }, { type: 'none' }];
  const run = state.run + 1;
  const runStartMs = state.run === 0 ? atMs : state.runStartMs;
  const next = { ...state, run, runStartMs };
  if (!state.speaking && run >= p.onsetFrames) {
    return [
      { ...next, speaking: true, lastSpeechEndMs: atMs + FRAME_MS },
      { type: 'speech-start', atMs: runStartMs },
    ];
  }
  return [next, { type: 'none' }];
}

/** Advances on the end-of-turn classifier's verdict for the `durationMs` window at `atMs`. */
export function stepEnd(
  state: TurnState,
  speech: boolean,
  atMs: number,
  p: TurnParams,
  durationMs: number = FRAME_MS,
): [TurnState, TurnStep] {
  if (speech)
    return [
      { ...state, lastSpeechEndMs: Math.max(state.lastSpeechEndMs, atMs + durationMs) },
      { type: 'none' },
    ];
  if (state.speaking && atMs + durationMs - state.lastSpeechEndMs >= p.endOfTurnMs) {
    return [
      { ...state, speaking: false, run: 0 },
      { type: 'end-of-turn', atMs: state.lastSpeechEndMs },
    ];
  }
  return [state, { type: 'none' }];
}
