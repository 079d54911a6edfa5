// The RTP engine as the main thread sees it: one worker thread (engine-worker.ts) sends and
// receives every call's RTP on its own pacing scheduler, and an EngineSession per call stands in
// for that call's RtpSession here. Writing speech, barge-in and reading counters go straight to
// shared memory; renegotiation and DTMF are messages; caller audio is drained from the shared rings
// whenever the worker signals that a scheduler run delivered some.

import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { FRAME_SAMPLES } from '../../audio/format.js';
import { startTsWorker } from '../../ts-worker.js';
import type { AudioSink } from '../audio-sink.js';
import type { Codec } from '../codec.js';
import {
  DeviationHistogram,
  type DeviationSnapshot,
  type DeviationStats,
} from '../deviation-histogram.js';
import { dtmfEventCode } from '../dtmf.js';
import { PortRangeExhaustedError } from '../port-pair.js';
import type {
  MediaDirection,
  RemoteAddress,
  RtpSessionEvents,
  RtpSessionOptions,
  RtpSessionStats,
} from '../session.js';
import type { EngineWorkerData, FromWorker, ToWorker, WireSessionOptions } from './protocol.js';
import { SessionMemory } from './session-memory.js';

/** How a session is opened on the engine: RtpSessionOptions less what the engine owns. */
export type EngineSessionOptions = Omit<
  RtpSessionOptions,
  'scheduler' | 'codec' | 'now' | 'signal' | 'cname' | 'ssrc'
> & { codec: Codec };

// The longest the main thread waits for a signal before it checks the rings anyway (outbound
// speech waiting for room in a full ring).
const IDLE_CHECK_MS = 20;

interface Pending {
  resolve: (session: EngineSession) => void;
  reject: (error: Error) => void;
  memory: SessionMemory;
  options: EngineSessionOptions;
}

export class RtpEngine {
  readonly #worker: Worker;
  readonly #signalBuffer = new SharedArrayBuffer(4);
  readonly #signal = new Int32Array(this.#signalBuffer);
  readonly #histogramBuffer = new SharedArrayBuffer(DeviationHistogram.BYTES);
  readonly #histogram = new DeviationHistogram(this.#histogramBuffer);
  readonly #sessions = new Map<number, EngineSession>();
  readonly #pending = new Map<number, Pending>();
  #since: DeviationSnapshot | undefined;
  #nextId = 1;
  #closed = false;
  #failure: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;

  private constructor() {
    const workerData: EngineWorkerData = {
      signal: this.#signalBuffer,
      histogram: this.#histogramBuffer,
    };
    this.#worker = startTsWorker(new URL('./engine-worker.ts', import.meta.url), { workerData });
  }

  /** Starts the worker and resolves once it is ready for sessions. */
  static async start(): Promise<RtpEngine> {
    const engine = new RtpEngine();
    await new Promise<void>((resolve, reject) => {
      const worker = engine.#worker;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else engine.#onMessage(message);
      });
      worker.on('error', (error) => {
        reject(error);
        engine.#fail(new Error('RTP engine worker crashed', { cause: error }));
      });
      worker.on('exit', (code) => {
        reject(new Error(`RTP engine worker exited with ${code}`));
        if (!engine.#closed) engine.#fail(new Error(`RTP engine worker exited with ${code}`));
      });
    });
    engine.#watch();
    return engine;
  }

  /** Called once if the worker dies: every call's media is gone with it. */
  onFailure(listener: (error: Error) => void): void {
    this.#onFailure = listener;
    if (this.#failure) listener(this.#failure);
  }

  /** Opens a call's sockets in the worker and starts pacing it. */
  open(options: EngineSessionOptions): Promise<EngineSession> {
    if (this.#closed || this.#failure) {
      return Promise.reject(this.#failure ?? new Error('RTP engine closed'));
    }
    const id = this.#nextId++;
    const memory = new SessionMemory();
    const { codec, ...rest } = options;
    const wire: WireSessionOptions = {
      ...rest,
      host: options.host ?? '127.0.0.1',
      portRange: options.portRange ?? { min: 20000, max: 29999 },
      codec: { name: codec.name, payloadType: codec.payloadType },
    };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, memory, options });
      this.#post({ type: 'open', id, memory: memory.buffer, options: wire });
    });
  }

  /** Sessions open. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Send-gap deviations of the worker's scheduler since the last reset. */
  deviationStats(): DeviationStats {
    return this.#histogram.stats(this.#since);
  }

  resetDeviation(): void {
    this.#since = this.#histogram.snapshot();
  }

  /** Every send-gap deviation ever recorded (for /metrics). */
  get histogram(): DeviationHistogram {
    return this.#histogram;
  }

  /** Closes every session and stops the worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of [...this.#sessions.values()]) session.close();
    for (const p of this.#pending.values()) p.reject(new Error('RTP engine closed'));
    this.#pending.clear();
    await this.#worker.terminate();
  }

  // ---- used by EngineSession -------------------------------------------------------------

  /** @internal */
  post(message: ToWorker): void {
    this.#post(message);
  }

  /** @internal */
  forget(id: number): void {
    this.#sessions.delete(id);
  }

  // ---- internals -------------------------------------------------------------------------

  #post(message: ToWorker): void {
    if (!this.#closed && !this.#failure) this.#worker.postMessage(message);
  }

  #fail(error: Error): void {
    if (this.#failure || this.#closed) return;
    this.#failure = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    this.#onFailure?.(error);
  }

  #onMessage(message: FromWorker): void {
    if (message.type === 'ready') return;
    if (message.type === 'opened' || message.type === 'openFailed') {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (!pending) return;
      if (message.type === 'openFailed') {
        pending.reject(
          message.portsExhausted
            ? new PortRangeExhaustedError(message.message)
            : new Error(`RTP session: ${message.message}`),
        );
        return;
      }
      const session = new EngineSession(this, message.id, pending.memory, pending.options, message);
      this.#sessions.set(message.id, session);
      if (this.#closed) session.close();
      pending.resolve(session);
      return;
    }
    this.#sessions.get(message.id)?.handle(message);
  }

  /** Drains caller audio (and tops up outbound rings) whenever the worker signals, for ever. */
  #watch(): void {
    const seen = Atomics.load(this.#signal, 0);
    for (const session of this.#sessions.values()) session.pump();
    if (this.#closed || this.#failure) return;
    const wait = Atomics.waitAsync(this.#signal, 0, seen, IDLE_CHECK_MS);
    if (wait.async) void wait.value.then(() => this.#watch());
    else setImmediate(() => this.#watch());
  }
}

/** One call's RTP, sent and received in the engine's worker; the RtpSession API on this side. */
export class EngineSession extends EventEmitter<RtpSessionEvents> implements AudioSink {
  readonly localPort: number;
  readonly localAddress: string;
  readonly ssrc: number;
  #remote: RemoteAddress | undefined;
  #direction: MediaDirection = 'sendrecv';
  #tePayloadType: number | undefined;
  // Speech that did not fit in the ring yet, with its marks.
  readonly #overflow: { frame: Int16Array; mark: number }[] = [];
  readonly #callbacks = new Map<number, (sentAtMs: number) => void>();
  #pendingMark = 0;
  #nextMark = 1;
  #closed = false;

  /** @internal */
  constructor(
    private readonly engine: RtpEngine,
    private readonly id: number,
    private readonly memory: SessionMemory,
    options: EngineSessionOptions,
    opened: { port: number; address: string; ssrc: number },
  ) {
    super();
    this.localPort = opened.port;
    this.localAddress = opened.address;
    this.ssrc = opened.ssrc;
    this.#remote = options.remote;
    this.#tePayloadType = options.telephoneEventPayloadType;
  }

  // ---- AudioSink ----------------------------------------------------------------------------

  get queuedFrames(): number {
    return this.#overflow.length + this.memory.outQueued;
  }

  write(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`audio frames have ${FRAME_SAMPLES} samples, got ${frame.length}`);
    }
    if (this.#closed) return;
    const mark = this.#pendingMark;
    this.#pendingMark = 0;
    if (this.#overflow.length > 0 || !this.memory.writeOut(frame, mark)) {
      this.#overflow.push({ frame: frame.slice(), mark });
    }
  }

  clear(): void {
    for (const { mark } of this.#overflow) this.#callbacks.delete(mark);
    this.#overflow.length = 0;
    this.#callbacks.delete(this.#pendingMark);
    this.#pendingMark = 0;
    this.memory.clearOut();
  }

  onFirstFrameSent(callback: (sentAtMs: number) => void): void {
    this.#callbacks.delete(this.#pendingMark);
    const mark = this.#nextMark++;
    this.#pendingMark = mark;
    this.#callbacks.set(mark, callback);
  }

  // ---- control ------------------------------------------------------------------------------

  sendDtmf(digit: string, durationMs = 100): boolean {
    if (this.#tePayloadType === undefined || dtmfEventCode(digit) === undefined) return false;
    this.engine.post({ type: 'dtmf', id: this.id, digit, durationMs });
    return true;
  }

  setDirection(direction: MediaDirection): void {
    this.#direction = direction;
    this.engine.post({ type: 'direction', id: this.id, direction });
  }

  get currentDirection(): MediaDirection {
    return this.#direction;
  }

  setRemote(remote: RemoteAddress): void {
    this.#remote = remote;
    this.engine.post({ type: 'remote', id: this.id, remote });
  }

  /** Switches codec / telephone-event (re-INVITE); speech not yet sent is dropped. */
  setCodec(codec: Codec, telephoneEventPayloadType?: number): void {
    this.clear();
    this.#tePayloadType = telephoneEventPayloadType;
    this.engine.post({
      type: 'codec',
      id: this.id,
      codec: { name: codec.name, payloadType: codec.payloadType },
      ...(telephoneEventPayloadType === undefined ? {} : { telephoneEventPayloadType }),
    });
  }

  get remoteAddress(): RemoteAddress | undefined {
    return this.#remote;
  }

  stats(): RtpSessionStats {
    return { ...this.memory.readStats(), queuedFrames: this.queuedFrames };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#overflow.length = 0;
    this.#callbacks.clear();
    this.engine.post({ type: 'close', id: this.id });
    this.engine.forget(this.id);
    this.emit('closed');
  }

  // ---- from the engine ----------------------------------------------------------------------

  /** @internal Moves waiting speech into the ring and caller audio out of it. */
  pump(): void {
    while (this.#overflow.length > 0) {
      const next = this.#overflow[0];
      if (!next || !this.memory.writeOut(next.frame, next.mark)) break;
      this.#overflow.shift();
    }
    for (let item = this.memory.readIn(); item && !this.#closed; item = this.memory.readIn()) {
      this.emit('audio', item.frame, item.kind);
    }
  }

  /** @internal */
  handle(message: FromWorker): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'sent': {
        const callback = this.#callbacks.get(message.mark);
        this.#callbacks.delete(message.mark);
        callback?.(message.atEpochMs - performance.timeOrigin);
        return;
      }
      case 'dropped':
        for (const mark of message.marks) this.#callbacks.delete(mark);
        return;
      case 'dtmf':
        this.emit('dtmf', message.digit);
        return;
      case 'timeout':
        this.emit('timeout');
        return;
      case 'latched':
        this.#remote = message.remote;
        this.emit('latched', message.remote);
        return;
      case 'socketError':
        this.emit('socketError', new Error(message.message));
        return;
      default:
        return;
    }
  }
}
