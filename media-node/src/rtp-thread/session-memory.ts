// The shared memory of one call's RTP session run on the RTP thread (worker/session-bridge.ts):
// the outbound ring (the agent's speech, event loop -> RTP thread), the inbound ring (the caller's
// audio, one frame per tick, RTP thread -> event loop), a few control words and the session's
// counters.

import { FrameRing, frameRingBytes } from './frame-ring.js';

/** Outbound slots: 5.12 s of speech; a longer reply waits on the event loop's side. */
export const OUTBOUND_SLOTS = 256;
/** Inbound slots: 1.28 s of the caller's audio, if the event loop is that late to read it. */
export const INBOUND_SLOTS = 64;

/** Control word: outbound index before which unsent frames are dropped (barge-in). */
export const CONTROL_CLEAR = 0;
/** Control word: 1 while frames wait outside the outbound ring (the thread asks for them). */
export const CONTROL_WAITING = 1;
/**
 * Control word: non-zero while the thread holds the agent's speech back because the caller
 * started talking over it (barge-in at the media path); the number of that hold. The event loop
 * ends it once the agent has decided: with a clear (barge-in) or without (playback resumes).
 */
export const CONTROL_HOLD = 2;
/**
 * Control word: 1 while the agent keeps playback paused (caller speech over it that may yet be a
 * barge-in); it ends with a clear (barge-in) or without (playback goes on where it stopped).
 */
export const CONTROL_PAUSE = 3;
const CONTROL_WORDS = 4;

/** Counter slots (Float64). */
export const STAT_SENT = 0;
export const STAT_RECEIVED = 1;
export const STAT_LOST = 2;
export const STAT_JITTER_MS = 3;
/** Inbound frames dropped because the event loop did not read them in time. */
export const STAT_INBOUND_DROPPED = 4;
/** The last RTCP round-trip time, ms (NaN until the far end reports on our stream). */
export const STAT_RTT_MS = 5;
const STAT_SLOTS = 8;

/** Inbound frame kinds as ring tags. */
export const FRAME_KINDS = ['audio', 'concealed', 'silence'] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

/** Hold numbers wrap below this: bits 2-27 of a tag. */
export const MAX_HOLD = 1 << 26;
/** The tag carries the thread's onset verdict on the frame (bit 29: speech). */
const VERDICT = 1 << 28;
const SPEECH = 1 << 29;

/**
 * An inbound frame's tag: its kind, the hold it started if any (0: none), and, when the thread
 * watches for barge-in, its onset classifier's verdict on the frame (the agent's turn detector
 * runs the same classifier, vad/onset.ts, and takes the verdict instead of classifying again).
 */
export function inboundTag(kind: FrameKind, hold: number, speech?: boolean): number {
  const verdict = speech === undefined ? 0 : VERDICT | (speech ? SPEECH : 0);
  return FRAME_KINDS.indexOf(kind) | (hold << 2) | verdict;
}

export function tagKind(tag: number): FrameKind {
  return FRAME_KINDS[tag & 3] ?? 'audio';
}

export function tagHold(tag: number): number {
  return (tag >>> 2) & (MAX_HOLD - 1);
}

/** The thread's onset verdict on the frame; undefined when it does not classify frames. */
export function tagSpeech(tag: number): boolean | undefined {
  return (tag & VERDICT) === 0 ? undefined : (tag & SPEECH) !== 0;
}

const OUTBOUND_AT = 0;
const INBOUND_AT = OUTBOUND_AT + frameRingBytes(OUTBOUND_SLOTS);
const CONTROL_AT = INBOUND_AT + frameRingBytes(INBOUND_SLOTS);
const STATS_AT = CONTROL_AT + CONTROL_WORDS * 4;
const TOTAL_BYTES = STATS_AT + STAT_SLOTS * 8;

export class SessionMemory {
  readonly outbound: FrameRing;
  readonly inbound: FrameRing;
  readonly control: Int32Array;
  readonly stats: Float64Array;

  /** Views on `buffer` (made by `SessionMemory.create` on the other side). */
  constructor(readonly buffer: SharedArrayBuffer) {
    if (buffer.byteLength !== TOTAL_BYTES) {
      throw new RangeError(`session memory is ${TOTAL_BYTES} bytes, got ${buffer.byteLength}`);
    }
    this.outbound = new FrameRing(buffer, OUTBOUND_AT, OUTBOUND_SLOTS);
    this.inbound = new FrameRing(buffer, INBOUND_AT, INBOUND_SLOTS);
    this.control = new Int32Array(buffer, CONTROL_AT, CONTROL_WORDS);
    this.stats = new Float64Array(buffer, STATS_AT, STAT_SLOTS);
  }

  static create(): SessionMemory {
    const memory = new SessionMemory(new SharedArrayBuffer(TOTAL_BYTES));
    memory.stats[STAT_RTT_MS] = Number.NaN; // not measured yet, not 0 ms
    return memory;
  }
}
