/**
 * The end-of-turn state machine: speech starts after `onsetFrames` consecutive speech frames;
 * the turn ends after `endOfTurnMs` without speech. Before that, after `pauseMs` of silence, a
 * `pause` says the turn will probably end (the agent may prepare its reply); speech after a pause
 * is a `resume`. Fed (isSpeech, atMs) per frame, returns what happened. Onset and end may come from
 * different classifiers (fast onset, careful end). The steps run for every frame of every call:
 * they update the state in place and allocate only when something happens.
 */
import { FRAME_MS } from '../audio/format.js';

export interface TurnState {
  speaking: boolean;
  run: number;
  runStartMs: number;
  lastSpeechEndMs: number;
  /** A pause was reported for the current silence. */
  paused: boolean;
}

/** A call's state before its first frame. */
export function createTurnState(): TurnState {
  return { speaking: false, run: 0, runStartMs: 0, lastSpeechEndMs: 0, paused: false };
}

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

/** Consecutive speech frames that start a turn (and a barge-in) unless set otherwise. */
export const DEFAULT_ONSET_FRAMES = 3;

/** Fills in the defaults: 3 onset frames, 500 ms end of turn, the default pause before it. */
export function resolveTurnParams(p: Partial<TurnParams>): TurnParams {
  const endOfTurnMs = p.endOfTurnMs ?? 500;
  return {
    onsetFrames: p.onsetFrames ?? DEFAULT_ONSET_FRAMES,
    endOfTurnMs,
    pauseMs: p.pauseMs ?? defaultPauseMs(endOfTurnMs),
  };
}

const NONE: TurnStep = Object.freeze({ type: 'none' });

/** Advances `state` on the onset classifier's verdict for the frame starting at `atMs`. */
export function stepOnset(
  state: TurnState,
  speech: boolean,
  atMs: number,
  p: TurnParams,
): TurnStep {
  if (!speech) {
    state.run = 0;
    return NONE;
  }
  if (state.run === 0) state.runStartMs = atMs;
  state.run++;
  if (state.speaking || state.run < p.onsetFrames) return NONE;
  state.speaking = true;
  state.lastSpeechEndMs = atMs + FRAME_MS;
  return { type: 'speech-start', atMs: state.runStartMs };
}

/**
 * Advances `state` on the end-of-turn classifier's verdict for the `durationMs` window at `atMs`.
 * For a speech verdict, `speechEndMs` is where that speech ended (default the window's end; see
 * speech-end.ts for moving it back over the classifier's hangover).
 */
export function stepEnd(
  state: TurnState,
  speech: boolean,
  atMs: number,
  p: TurnParams,
  durationMs: number = FRAME_MS,
  speechEndMs: number = atMs + durationMs,
): TurnStep {
  if (speech) {
    if (speechEndMs > state.lastSpeechEndMs) state.lastSpeechEndMs = speechEndMs;
    if (!state.paused) return NONE;
    state.paused = false;
    return { type: 'resume', atMs };
  }
  if (!state.speaking) return NONE;
  const silenceMs = atMs + durationMs - state.lastSpeechEndMs;
  if (silenceMs >= p.endOfTurnMs) {
    state.speaking = false;
    state.run = 0;
    state.paused = false;
    return { type: 'end-of-turn', atMs: state.lastSpeechEndMs };
  }
  if (!state.paused && p.pauseMs !== undefined && silenceMs >= p.pauseMs) {
    state.paused = true;
    return { type: 'pause', atMs: state.lastSpeechEndMs };
  }
  return NONE;
}
