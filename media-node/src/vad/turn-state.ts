/**
 * The pure end-of-turn state machine: speech starts after `onsetFrames` consecutive speech frames;
 * the turn ends after `endOfTurnMs` without speech. Before that, after `pauseMs` of silence, a
 * `pause` says the turn will probably end (the agent may prepare its reply); speech after a pause
 * is a `resume`. Fed (isSpeech, atMs) per frame, returns what happened. Onset and end may come from
 * different classifiers (fast onset, careful end).
 */
import { FRAME_MS } from '../audio/format.js';
import type { TurnDetectorEvents } from './types.js';

export interface TurnState {
  speaking: boolean;
  run: number;
  runStartMs: number;
  lastSpeechEndMs: number;
  /** A pause was reported for the current silence. */
  paused: boolean;
}

export const INITIAL_TURN_STATE: TurnState = {
  speaking: false,
  run: 0,
  runStartMs: 0,
  lastSpeechEndMs: 0,
  paused: false,
};

export type TurnStep =
  | { type: 'none' }
  | { type: 'speech-start'; atMs: number }
  | { type: 'pause'; atMs: number }
  | { type: 'resume'; atMs: number }
  | { type: 'end-of-turn'; atMs: number };

export interface TurnParams {
  onsetFrames: number;
  endOfTurnMs: number;
  /** Silence that reports a pause; at or above `endOfTurnMs`, no pause is reported. */
  pauseMs?: number;
}

/** How long before the end of turn a pause is reported by default: up to 200 ms, half at most. */
export function defaultPauseMs(endOfTurnMs: number): number {
  return endOfTurnMs - Math.min(200, Math.floor(endOfTurnMs / 2));
}

/** Fills in the defaults: 3 onset frames, 500 ms end of turn, the default pause before it. */
export function resolveTurnParams(p: Partial<TurnParams>): TurnParams {
  const endOfTurnMs = p.endOfTurnMs ?? 500;
  return {
    onsetFrames: p.onsetFrames ?? 3,
    endOfTurnMs,
    pauseMs: p.pauseMs ?? defaultPauseMs(endOfTurnMs),
  };
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

/**
 * Advances on the end-of-turn classifier's verdict for the `durationMs` window at `atMs`. For a
 * speech verdict, `speechEndMs` is where that speech ended (default the window's end; see
 * speech-end.ts for moving it back over the classifier's hangover).
 */
export function stepEnd(
  state: TurnState,
  speech: boolean,
  atMs: number,
  p: TurnParams,
  durationMs: number = FRAME_MS,
  speechEndMs: number = atMs + durationMs,
): [TurnState, TurnStep] {
  if (speech) {
    const next = {
      ...state,
      lastSpeechEndMs: Math.max(state.lastSpeechEndMs, speechEndMs),
      paused: false,
    };
    return [next, state.paused ? { type: 'resume', atMs } : { type: 'none' }];
  }
  if (!state.speaking) return [state, { type: 'none' }];
  const silenceMs = atMs + durationMs - state.lastSpeechEndMs;
  if (silenceMs >= p.endOfTurnMs) {
    return [
      { ...state, speaking: false, run: 0, paused: false },
      { type: 'end-of-turn', atMs: state.lastSpeechEndMs },
    ];
  }
  if (!state.paused && p.pauseMs !== undefined && silenceMs >= p.pauseMs) {
    return [
      { ...state, paused: true },
      { type: 'pause', atMs: state.lastSpeechEndMs },
    ];
  }
  return [state, { type: 'none' }];
}

/** Hands a step to the detector's listener. */
export function emitTurnStep(step: TurnStep, events: TurnDetectorEvents): void {
  if (step.type === 'speech-start') events.onSpeechStart(step.atMs);
  else if (step.type === 'end-of-turn') events.onEndOfTurn(step.atMs);
  else if (step.type === 'pause') events.onPause?.(step.atMs);
  else if (step.type === 'resume') events.onResume?.(step.atMs);
}
