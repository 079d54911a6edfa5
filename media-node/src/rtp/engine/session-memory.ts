// The memory one call shares between the node's main thread and the RTP engine's worker: two
// single-producer single-consumer rings of 20 ms PCM frames and the session's counters, on one
// SharedArrayBuffer. Outbound, the agent (main thread) writes what it says and the worker takes
// one frame per send tick; inbound, the worker writes the caller's jitter-buffered frames and the
// main thread drains them into the agent. Indices only grow (32-bit, compared by difference), so
// "full" and "empty" need no extra state; a barge-in publishes "drop everything written before
// index N" without waiting for the worker.

import { FRAME_SAMPLES } from '../../audio/format.js';
import type { PlayoutFrame } from '../jitter-buffer.js';

/** Outbound frames the ring holds (2.56 s); more waits on the main thread until there is room. */
export const OUT_SLOTS = 128;
/** Inbound frames the ring holds (1.28 s) before the worker drops new ones. */
export const IN_SLOTS = 64;

const OUT_WRITE = 0;
const OUT_READ = 1;
const CLEAR_TO = 2;
const CLEAR_GEN = 3;
const IN_WRITE = 4;
const IN_READ = 5;
const IN_DROPPED = 6;
const CONTROL_INTS = 8;

/** Session counters, in this order, as the worker last wrote them. */
export const STAT_FIELDS = [
  'packetsSent',
  'octetsSent',
  'packetsReceived',
  'lost',
  'jitterMs',
  'late',
  'duplicates',
  'concealed',
  'malformed',
  'dtmfSent',
  'dtmfReceived',
] as const;
export type SharedStats = Record<(typeof STAT_FIELDS)[number], number>;

const KINDS: readonly PlayoutFrame['kind'][] = ['audio', 'concealed', 'silence'];
const FRAME_BYTES = FRAME_SAMPLES * 2;

const CONTROL_OFFSET = 0;
const STATS_OFFSET = CONTROL_INTS * 4;
const OUT_FRAMES_OFFSET = STATS_OFFSET + STAT_FIELDS.length * 8;
const OUT_MARKS_OFFSET = OUT_FRAMES_OFFSET + OUT_SLOTS * FRAME_BYTES;
const IN_FRAMES_OFFSET = OUT_MARKS_OFFSET + OUT_SLOTS * 4;
const IN_KINDS_OFFSET = IN_FRAMES_OFFSET + IN_SLOTS * FRAME_BYTES;
const TOTAL_BYTES = IN_KINDS_OFFSET + IN_SLOTS;

export class SessionMemory {
  readonly buffer: SharedArrayBuffer;
  readonly #control: Int32Array;
  readonly #stats: Float64Array;
  readonly #outFrames: Int16Array;
  readonly #outMarks: Int32Array;
  readonly #inFrames: Int16Array;
  readonly #inKinds: Uint8Array;
  #seenClearGen = 0;

  constructor(buffer = new SharedArrayBuffer(TOTAL_BYTES)) {
    this.buffer = buffer;
    this.#control = new Int32Array(buffer, CONTROL_OFFSET, CONTROL_INTS);
    this.#stats = new Float64Array(buffer, STATS_OFFSET, STAT_FIELDS.length);
    this.#outFrames = new Int16Array(buffer, OUT_FRAMES_OFFSET, OUT_SLOTS * FRAME_SAMPLES);
    this.#outMarks = new Int32Array(buffer, OUT_MARKS_OFFSET, OUT_SLOTS);
    this.#inFrames = new Int16Array(buffer, IN_FRAMES_OFFSET, IN_SLOTS * FRAME_SAMPLES);
    this.#inKinds = new Uint8Array(buffer, IN_KINDS_OFFSET, IN_SLOTS);
  }

  // ---- outbound: main thread writes -------------------------------------------------------

  /** Frames written and not yet taken by the worker. */
  get outQueued(): number {
    return (Atomics.load(this.#control, OUT_WRITE) - Atomics.load(this.#control, OUT_READ)) | 0;
  }

  /** Copies a frame into the ring with its mark (0: none); false when the ring is full. */
  writeOut(frame: Int16Array, mark: number): boolean {
    const write = Atomics.load(this.#control, OUT_WRITE);
    if (((write - Atomics.load(this.#control, OUT_READ)) | 0) >= OUT_SLOTS) return false;
    const slot = (write >>> 0) % OUT_SLOTS;
    this.#outFrames.set(frame, slot * FRAME_SAMPLES);
    this.#outMarks[slot] = mark;
    Atomics.store(this.#control, OUT_WRITE, (write + 1) | 0);
    return true;
  }

  /** Barge-in: the worker drops every frame written so far at its next tick. */
  clearOut(): void {
    Atomics.store(this.#control, CLEAR_TO, Atomics.load(this.#control, OUT_WRITE));
    Atomics.add(this.#control, CLEAR_GEN, 1);
  }

  // ---- outbound: worker takes ------------------------------------------------------------

  /**
   * Applies a clear published since the last call: returns the marks of the frames it dropped
   * (empty when nothing was cleared), or undefined when there was no clear.
   */
  takeClear(): number[] | undefined {
    const gen = Atomics.load(this.#control, CLEAR_GEN);
    if (gen === this.#seenClearGen) return undefined;
    this.#seenClearGen = gen;
    const to = Atomics.load(this.#control, CLEAR_TO);
    const dropped: number[] = [];
    let read = Atomics.load(this.#control, OUT_READ);
    for (; ((to - read) | 0) > 0; read = (read + 1) | 0) {
      const mark = this.#outMarks[(read >>> 0) % OUT_SLOTS] ?? 0;
      if (mark !== 0) dropped.push(mark);
    }
    Atomics.store(this.#control, OUT_READ, read);
    return dropped;
  }

  /** Copies the oldest frame into `into` and returns its mark, or undefined when empty. */
  takeOut(into: Int16Array): number | undefined {
    const read = Atomics.load(this.#control, OUT_READ);
    if (read === Atomics.load(this.#control, OUT_WRITE)) return undefined;
    const slot = (read >>> 0) % OUT_SLOTS;
    into.set(this.#outFrames.subarray(slot * FRAME_SAMPLES, (slot + 1) * FRAME_SAMPLES));
    const mark = this.#outMarks[slot] ?? 0;
    Atomics.store(this.#control, OUT_READ, (read + 1) | 0);
    return mark;
  }

  // ---- inbound: worker writes ------------------------------------------------------------

  /** Copies a caller frame into the ring; when it is full the frame is dropped and counted. */
  writeIn(frame: Int16Array, kind: PlayoutFrame['kind']): void {
    const write = Atomics.load(this.#control, IN_WRITE);
    if (((write - Atomics.load(this.#control, IN_READ)) | 0) >= IN_SLOTS) {
      Atomics.add(this.#control, IN_DROPPED, 1);
      return;
    }
    const slot = (write >>> 0) % IN_SLOTS;
    this.#inFrames.set(frame, slot * FRAME_SAMPLES);
    this.#inKinds[slot] = KINDS.indexOf(kind);
    Atomics.store(this.#control, IN_WRITE, (write + 1) | 0);
  }

  // ---- inbound: main thread drains -------------------------------------------------------

  /** Takes the oldest caller frame as a new array, or undefined when none is waiting. */
  readIn(): { frame: Int16Array; kind: PlayoutFrame['kind'] } | undefined {
    const read = Atomics.load(this.#control, IN_READ);
    if (read === Atomics.load(this.#control, IN_WRITE)) return undefined;
    const slot = (read >>> 0) % IN_SLOTS;
    const frame = this.#inFrames.slice(slot * FRAME_SAMPLES, (slot + 1) * FRAME_SAMPLES);
    const kind = KINDS[this.#inKinds[slot] ?? 0] ?? 'audio';
    Atomics.store(this.#control, IN_READ, (read + 1) | 0);
    return { frame, kind };
  }

  /** Caller frames dropped because the main thread did not drain them in time. */
  get inDropped(): number {
    return Atomics.load(this.#control, IN_DROPPED);
  }

  // ---- counters --------------------------------------------------------------------------

  /** Worker: publishes the session's counters. */
  writeStats(stats: SharedStats): void {
    STAT_FIELDS.forEach((name, i) => (this.#stats[i] = stats[name]));
  }

  /** Main thread: the counters as last published. */
  readStats(): SharedStats {
    const out = {} as SharedStats;
    STAT_FIELDS.forEach((name, i) => (out[name] = this.#stats[i] ?? 0));
    return out;
  }
}
