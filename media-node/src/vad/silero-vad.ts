/**
 * Silero VAD for end-of-turn: one worker thread per node runs the model for every call, batching
 * the calls' 32 ms windows into one inference. Each call opens a stream that turns its 20 ms
 * frames into windows and receives a speech probability per window with the window's start time.
 */
import { Worker } from 'node:worker_threads';
import { FRAME_MS, PCM16_FULL_SCALE, SAMPLE_RATE } from '../audio/format.js';
import type { SileroReply, SileroRequest } from './silero-worker.js';
import { typeScriptWorkerSource } from '../lib/worker-source.js';

const WINDOW = 256;
const WORKER_SOURCE = typeScriptWorkerSource(new URL('./silero-worker.ts', import.meta.url));
const WINDOW_MS = (WINDOW * 1000) / SAMPLE_RATE;

export interface SileroStream {
  push(frame: Int16Array, atMs: number): void;
  close(): void;
}

type ProbabilityListener = (probability: number, atMs: number, durationMs: number) => void;

interface StreamState {
  listener: ProbabilityListener;
  window: Float32Array;
  filled: number;
  windowStartMs: number;
  pending: { audio: Float32Array; atMs: number }[];
  inFlight: number[];
}

export class SileroVadService {
  readonly #worker: Worker;
  readonly #streams = new Map<number, StreamState>();
  readonly #ready: Promise<void>;
  #nextId = 1;
  #busy = false;
  #scheduled = false;
  #failed: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;

  private constructor() {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.on('message', (msg: SileroReply) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'result') this.#onResult(msg.ids, msg.probs);
        else this.#fail(new Error(`silero worker: ${msg.message}`), reject);
      });
      this.#worker.on('error', (e) =>
        this.#fail(new Error('silero worker crashed', { cause: e }), reject),
      );
      this.#worker.on('exit', () => this.#fail(new Error('silero worker exited'), reject));
    });
  }

  /** Starts the worker and waits until the model is loaded. */
  static async start(): Promise<SileroVadService> {
    const service = new SileroVadService();
    await service.#ready;
    return service;
  }

  /** Called once if the worker dies; detectors fall back to their frame classifier. */
  onFailure(listener: (error: Error) => void): void {
    this.#onFailure = listener;
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  openStream(listener: ProbabilityListener): SileroStream {
    const id = this.#nextId++;
    const s: StreamState = {
      listener,
      window: new Float32Array(WINDOW),
      filled: 0,
      windowStartMs: 0,
      pending: [],
      inFlight: [],
    };
    this.#streams.set(id, s);
    return {
      push: (frame, atMs) => {
        if (this.#failed) return;
        for (let i = 0; i < frame.length; i++) {
          if (s.filled === 0) s.windowStartMs = atMs + (i * FRAME_MS) / frame.length;
          s.window[s.filled++] = (frame[i] ?? 0) / PCM16_FULL_SCALE;
          if (s.filled === WINDOW) {
            s.pending.push({ audio: s.window, atMs: s.windowStartMs });
            s.window = new Float32Array(WINDOW);
            s.filled = 0;
            this.#schedule();
          }
        }
      },
      close: () => {
        if (!this.#streams.delete(id)) return;
        if (!this.#failed) this.#worker.postMessage({ type: 'drop', id } satisfies SileroRequest);
      },
    };
  }

  async close(): Promise<void> {
    this.#failed ??= new Error('closed');
    this.#streams.clear();
    await this.#worker.terminate();
  }

  #schedule(): void {
    if (this.#busy || this.#scheduled) return;
    this.#scheduled = true;
    // Let the other calls' frames of this tick join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#send();
    });
  }

  #send(): void {
    if (this.#busy || this.#failed) return;
    const ids: number[] = [];
    const windows: Float32Array[] = [];
    for (const [id, s] of this.#streams) {
      const next = s.pending[0];
      if (!next) continue;
      ids.push(id);
      windows.push(next.audio);
    }
    if (ids.length === 0) return;
    const audio = new Float32Array(ids.length * WINDOW);
    windows.forEach((w, i) => audio.set(w, i * WINDOW));
    this.#busy = true;
    this.#worker.postMessage({ type: 'batch', ids, audio } satisfies SileroRequest, [audio.buffer]);
  }

  #onResult(ids: number[], probs: Float32Array): void {
    this.#busy = false;
    ids.forEach((id, i) => {
      const s = this.#streams.get(id);
      const window = s?.pending.shift();
      if (s && window) s.listener(probs[i] ?? 0, window.atMs, WINDOW_MS);
    });
    this.#send();
  }

  #fail(error: Error, reject: (e: Error) => void): void {
    if (this.#failed) return;
    this.#failed = error;
    reject(error);
    this.#onFailure?.(error);
  }
}
