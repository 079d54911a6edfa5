// The event loop's side of the RTP thread (rtp-worker.ts): starts the thread and opens call
// sessions on it. A ThreadRtpSession looks like an RtpSession to the call: it takes the agent's
// frames (AudioSink) into its shared outbound ring, emits the caller's frames from the inbound ring,
// and forwards control. Frames that do not fit the ring wait here and follow when the thread asks.
// If the thread dies, every session reports a media timeout (so its call ends with a BYE, not
// silence) and the next session starts a new thread.
//
// The thread shares the node's core(s) with the event loop, V8's helper threads and the others,
// and a packet cannot wait for their turn: the RTP thread runs fifteen nice levels ahead of every
// other thread of the process. It asks to be raised fifteen (granted with CAP_SYS_NICE, and the
// process keeps its place among other processes); where refused, every other thread of the process
// steps down fifteen instead (a thread may lower its own process's threads without privilege).
// When they all want the core, the RTP thread wakes up and sends first; the others share the rest.

import { EventEmitter } from 'node:events';
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FRAME_SAMPLES } from '../audio/format.js';
import { typeScriptWorkerSource } from '../worker-source.js';
import type { AudioSink } from './audio-sink.js';
import type { Codec } from './codec.js';
import { dtmfEventCode } from './dtmf.js';
import type {
  PacingReport,
  RtpThreadData,
  RtpThreadEvent,
  RtpThreadRequest,
  ThreadSessionOptions,
} from './rtp-worker.js';
import {
  CONTROL_CLEAR,
  CONTROL_HOLD,
  CONTROL_WAITING,
  STAT_JITTER_MS,
  STAT_LOST,
  STAT_RECEIVED,
  STAT_SENT,
  SessionMemory,
  tagHold,
  tagKind,
  tagSpeech,
  type FrameKind,
} from './session-memory.js';
import type { PortRange } from './port-pair.js';
import type { MediaDirection, RemoteAddress } from './session.js';
import type { SipAnswerConfig } from './sip-front.js';
import type { AdmissionBoard } from '../node/admission-board.js';
import type { AnsweredOnArrival, UdpPort, UdpReceiver } from '../sip/transport.js';
import { codecByName, withPayloadType } from './codec.js';

const WORKER_SOURCE = typeScriptWorkerSource(new URL('./rtp-worker.ts', import.meta.url));

/**
 * Nice levels between the RTP thread and every other thread: each level weighs 1.25, so 15 is
 * 28:1 when both want the core. Measured on one core at 300 agent calls: 10 left the send-gap p99
 * at 4-5.5 ms, 19-20 brought it under 3 ms (docs/media.md, "The RTP thread"). The thread asks to
 * be raised this much; the others step down only by what it could not get.
 */
const SEPARATION = 15;
const NICE_MAX = 19;

/**
 * Socket pairs the thread keeps bound for each range the node opens calls in (keepSpares): a call
 * takes one and is answered without waiting for the thread. Refills go out as calls take them; 16
 * covers a stall of the event loop of 300 ms at 50 calls/s, during which no refill comes back.
 */
const SPARE_PAIRS = 16;

/** The scheduling priorities the RTP thread runs with (nice values: lower runs first). */
export interface RtpThreadPriority {
  thread: number;
  /** The event loop's; every other thread of the process is at least this nice. */
  eventLoop: number;
  /** The thread runs above the process's starting priority (the kernel granted CAP_SYS_NICE). */
  threadRaised: boolean;
}

/** Sets every thread of this process but `keep` to at least `nice`; Linux only, best effort. */
function lowerOtherThreads(keep: number | undefined, nice: number): void {
  let tids = [0]; // 0: the calling thread, where the threads cannot be listed
  if (keep !== undefined) {
    try {
      tids = readdirSync('/proc/self/task').map(Number);
    } catch {
      // no procfs: the event loop alone
    }
  }
  for (const tid of tids) {
    if (tid === keep) continue;
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch {
      // the thread ended meanwhile, or the kernel has no per-thread priorities
    }
  }
}

/** Socket pairs bound on the thread for one host and port range, and the refills on their way. */
interface SparePool {
  host: string;
  portRange: PortRange;
  ready: { req: number; port: number; address: string }[];
  binding: number;
}

const poolKey = (host: string, range: PortRange): string => `${host} ${range.min}-${range.max}`;

/** Options of a session on the thread: a codec object instead of its name. */
export type ThreadRtpSessionOptions = Omit<ThreadSessionOptions, 'codec'> & { codec: Codec };

/** Events of a ThreadRtpSession (RtpSession's, with each caller frame's time). */
export type ThreadRtpSessionEvents = {
  /**
   * A 20 ms frame of the caller's audio and the time (performance.now()) the RTP thread played it
   * out of its jitter buffer. The frame is shared storage, rewritten once this listener returns:
   * copy it to keep it. `speech`: for a session that watches for barge-in (`bargeInOnsetFrames`),
   * the thread's onset verdict on the frame; undefined otherwise.
   */
  audio: [frame: Int16Array, kind: FrameKind, atMs: number, speech: boolean | undefined];
  dtmf: [digit: string];
  timeout: [];
  latched: [remote: RemoteAddress];
  socketError: [error: Error];
  closed: [];
};

/** Frames waiting on the event loop's side for room in the outbound ring, in order. */
class WaitingFrames {
  private samples = new Int16Array(0);
  private tags = new Int32Array(0);
  private head = 0;
  length = 0;

  push(frame: Int16Array, tag: number): void {
    const slots = this.tags.length;
    if (this.length === slots) this.grow(Math.max(64, 2 * slots));
    const i = (this.head + this.length) % this.tags.length;
    this.samples.set(frame, i * FRAME_SAMPLES);
    this.tags[i] = tag;
    this.length++;
  }

  /** The oldest frame (a view, valid until the next push) and its tag. */
  peek(): { frame: Int16Array; tag: number } | undefined {
    if (this.length === 0) return undefined;
    const i = this.head;
    return {
      frame: this.samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES),
      tag: this.tags[i]!,
    };
  }

  shift(): void {
    this.head = (this.head + 1) % this.tags.length;
    this.length--;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(slots: number): void {
    const samples = new Int16Array(slots * FRAME_SAMPLES);
    const tags = new Int32Array(slots);
    for (let k = 0; k < this.length; k++) {
      const from = (this.head + k) % this.tags.length;
      samples.set(
        this.samples.subarray(from * FRAME_SAMPLES, (from + 1) * FRAME_SAMPLES),
        k * FRAME_SAMPLES,
      );
      tags[k] = this.tags[from]!;
    }
    this.samples = samples;
    this.tags = tags;
    this.head = 0;
  }
}

export class ThreadRtpSession extends EventEmitter<ThreadRtpSessionEvents> implements AudioSink {
  private remote: RemoteAddress | undefined;
  private direction: MediaDirection = 'sendrecv';
  private telephoneEvent: number | undefined;
  private readonly waiting = new WaitingFrames();
  private readonly sentCallbacks = new Map<number, (sentAtMs: number) => void>();
  private pendingCallback: ((sentAtMs: number) => void) | undefined;
  private nextMark = 1;
  /** The outbound ring's write index at the last clear(). */
  private clearedTo = 0;
  private closed = false;
  /** While a frame that started a hold is with the listeners: when the thread held playback. */
  private heldAtMs: number | undefined;

  /** @internal made by RtpThread.open */
  constructor(
    private readonly thread: RtpThread,
    readonly id: number,
    private readonly memory: SessionMemory,
    readonly localPort: number,
    readonly localAddress: string,
    readonly ssrc: number,
    options: ThreadRtpSessionOptions,
  ) {
    super();
    this.remote = options.remote;
    this.telephoneEvent = options.telephoneEventPayloadType;
    this.direction = options.direction ?? 'sendrecv';
  }

  // ---- AudioSink ----------------------------------------------------------------------------

  get queuedFrames(): number {
    const { outbound } = this.memory;
    // frames before the last clear may sit in the ring until the thread's next tick skips them
    const inRing = Math.min(outbound.length, (outbound.writeIndex - this.clearedTo) >>> 0);
    return this.waiting.length + inRing;
  }

  write(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`audio frames have ${FRAME_SAMPLES} samples, got ${frame.length}`);
    }
    if (this.closed) return;
    let mark = 0;
    if (this.pendingCallback) {
      mark = this.nextMark++;
      this.sentCallbacks.set(mark, this.pendingCallback);
      this.pendingCallback = undefined;
    }
    if (this.waiting.length === 0 && this.memory.outbound.write(frame, mark, 0)) return;
    this.waiting.push(frame, mark);
    Atomics.store(this.memory.control, CONTROL_WAITING, 1);
  }

  /**
   * Drops the queued frames. Called while the caller's frame that made the thread hold playback
   * is with the listeners, it returns when that hold began: playback stopped then, not now.
   */
  clear(): number | undefined {
    this.waiting.clear();
    this.sentCallbacks.clear();
    this.pendingCallback = undefined;
    this.clearedTo = this.memory.outbound.writeIndex;
    Atomics.store(this.memory.control, CONTROL_CLEAR, this.clearedTo);
    return this.heldAtMs;
  }

  onFirstFrameSent(callback: (sentAtMs: number) => void): void {
    this.pendingCallback = callback;
  }

  // ---- control ------------------------------------------------------------------------------

  /** Queues a DTMF key press; false when telephone-event was not negotiated or not a digit. */
  sendDtmf(digit: string, durationMs = 100): boolean {
    if (this.telephoneEvent === undefined || dtmfEventCode(digit) === undefined) return false;
    this.request({ op: 'dtmf', id: this.id, digit, durationMs });
    return true;
  }

  setDirection(direction: MediaDirection): void {
    if (direction === this.direction) return; // as on the thread, where sessions start sendrecv
    this.direction = direction;
    this.request({ op: 'direction', id: this.id, direction });
  }

  get currentDirection(): MediaDirection {
    return this.direction;
  }

  setRemote(remote: RemoteAddress): void {
    this.remote = remote;
    this.request({ op: 'remote', id: this.id, remote });
  }

  get remoteAddress(): RemoteAddress | undefined {
    return this.remote;
  }

  setCodec(codec: Codec, telephoneEventPayloadType?: number): void {
    this.telephoneEvent = telephoneEventPayloadType;
    this.request({
      op: 'codec',
      id: this.id,
      codec: { name: codec.name, payloadType: codec.payloadType },
      ...(telephoneEventPayloadType === undefined ? {} : { telephoneEventPayloadType }),
    });
  }

  /** Counters as of the session's last tick on the RTP thread (at most 20 ms old). */
  stats(): { packetsSent: number; packetsReceived: number; lost: number; jitterMs: number } {
    const s = this.memory.stats;
    return {
      packetsSent: s[STAT_SENT] ?? 0,
      packetsReceived: s[STAT_RECEIVED] ?? 0,
      lost: s[STAT_LOST] ?? 0,
      jitterMs: s[STAT_JITTER_MS] ?? 0,
    };
  }

  /** Closes the session on the thread. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting.clear();
    this.sentCallbacks.clear();
    this.pendingCallback = undefined;
    this.request({ op: 'close', id: this.id });
    this.thread.forget(this.id);
    this.emit('closed');
  }

  // ---- from the thread ----------------------------------------------------------------------

  /** @internal Emits the caller's waiting frames and moves waiting speech into the ring. */
  pump(): void {
    const { inbound, outbound } = this.memory;
    for (let slot = inbound.peek(); slot >= 0 && !this.closed; slot = inbound.peek()) {
      const tag = inbound.tag(slot);
      const hold = tagHold(tag);
      const atMs = inbound.time(slot);
      if (hold !== 0) this.heldAtMs = atMs;
      try {
        this.emit('audio', inbound.frame(slot), tagKind(tag), atMs, tagSpeech(tag));
      } finally {
        inbound.release();
        if (hold !== 0) {
          // The agent has heard the onset: cleared (barge-in), or playback resumes.
          this.heldAtMs = undefined;
          Atomics.compareExchange(this.memory.control, CONTROL_HOLD, hold, 0);
        }
      }
    }
    for (let next = this.waiting.peek(); next; next = this.waiting.peek()) {
      if (!outbound.write(next.frame, next.tag, 0)) return;
      this.waiting.shift();
    }
    Atomics.store(this.memory.control, CONTROL_WAITING, 0);
  }

  /** @internal */
  receive(
    event: Exclude<
      RtpThreadEvent,
      {
        type:
          | 'ready'
          | 'opened'
          | 'open-failed'
          | 'frames'
          | 'pacing'
          | 'metrics'
          | 'spare'
          | 'spare-failed';
      }
    >,
  ): void {
    if (this.closed) return;
    switch (event.type) {
      case 'sent': {
        const callback = this.sentCallbacks.get(event.mark);
        this.sentCallbacks.delete(event.mark);
        callback?.(event.atMs);
        return;
      }
      case 'dtmf':
        this.emit('dtmf', event.digit);
        return;
      case 'timeout':
        this.emit('timeout');
        return;
      case 'latched':
        this.remote = event.remote;
        this.emit('latched', event.remote);
        return;
      case 'socket-error':
        this.emit('socketError', new Error(event.message));
        return;
    }
  }

  private request(request: RtpThreadRequest): void {
    if (!this.closed || request.op === 'close') this.thread.send(request);
  }
}

/** The media of a call answered on arrival (AnsweredOnArrival.media): the media factory's to adopt. */
export interface AnsweredMedia {
  session: ThreadRtpSession;
  /** o= session id of the SDP answer that left. */
  sdpSessionId: number;
}

/** Answering on arrival as the event loop configures it (the board instead of its memory). */
export type AnswerOnArrivalConfig = Omit<SipAnswerConfig, 'board'> & { board: AdmissionBoard };

/** The node's SIP UDP socket on the thread, as the event loop knows it. */
interface SipSocket {
  host: string;
  port: number;
  receiver: UdpReceiver | undefined;
  /** Datagrams that came before the endpoint took the socket. */
  early: Parameters<UdpReceiver>[];
  answer: AnswerOnArrivalConfig | undefined;
  onRestoreFailed: (error: Error) => void;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** The RTP thread of the process: start it once, open every call's session on it. */
export class RtpThread {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly sessions = new Map<number, ThreadRtpSession>();
  private readonly opening = new Map<
    number,
    Pending<{ port: number; address: string; ssrc: number }>
  >();
  private readonly requests = new Map<number, Pending<RtpThreadEvent>>();
  private readonly spares = new Map<string, SparePool>();
  private sip: SipSocket | undefined;
  private nextId = 1;
  private stopped = false;
  /** The event loop's nice value before the thread started. */
  private readonly baseNice = getPriority(0);
  private currentPriority: RtpThreadPriority = {
    thread: this.baseNice,
    eventLoop: this.baseNice,
    threadRaised: false,
  };

  private constructor() {}

  /** Starts the thread and waits until it takes sessions. */
  static async start(): Promise<RtpThread> {
    const thread = new RtpThread();
    await thread.spawn();
    return thread;
  }

  /** The scheduling priorities of the thread and the event loop (see the file's comment). */
  get priority(): RtpThreadPriority {
    return this.currentPriority;
  }

  /** Sessions open on the thread. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Keeps socket pairs bound on the thread for sessions opened on `host` in `portRange`: such an
   * open takes one and resolves without a round trip to the thread (a call's answer waits for
   * nothing the thread does), and a refill follows. Opens find the pool empty only while more
   * calls arrive than refills come back; they bind as without it.
   */
  keepSpares(host: string, portRange: PortRange): void {
    const key = poolKey(host, portRange);
    if (!this.spares.has(key)) this.spares.set(key, { host, portRange, ready: [], binding: 0 });
    this.refill(this.spares.get(key)!);
  }

  /** Starts pacing a new session on the thread, on a spare socket pair or one it binds now. */
  async open(options: ThreadRtpSessionOptions): Promise<ThreadRtpSession> {
    await this.spawn();
    const id = this.nextId++;
    const memory = SessionMemory.create();
    const { codec, ...rest } = options;
    const wire = { ...rest, codec: { name: codec.name, payloadType: codec.payloadType } };
    const pool =
      options.host === undefined || options.portRange === undefined
        ? undefined
        : this.spares.get(poolKey(options.host, options.portRange));
    const spare = pool?.ready.shift();
    if (pool) this.refill(pool);
    if (spare) {
      const ssrc = options.ssrc ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
      this.send({
        op: 'open',
        id,
        buffer: memory.buffer,
        options: { ...wire, ssrc },
        spare: spare.req,
      });
      const session = new ThreadRtpSession(
        this,
        id,
        memory,
        spare.port,
        spare.address,
        ssrc,
        options,
      );
      this.sessions.set(id, session);
      return session;
    }
    const opened = new Promise<{ port: number; address: string; ssrc: number }>((resolve, reject) =>
      this.opening.set(id, { resolve, reject }),
    );
    this.send({ op: 'open', id, buffer: memory.buffer, options: wire });
    const { port, address, ssrc } = await opened;
    const session = new ThreadRtpSession(this, id, memory, port, address, ssrc, options);
    this.sessions.set(id, session);
    return session;
  }

  /** Send-gap statistics of the thread's scheduler; `reset` starts a new window. */
  async pacing(reset = false): Promise<PacingReport> {
    const reply = await this.ask((req) => ({ op: 'pacing', req, reset }));
    if (reply.type !== 'pacing') throw new Error(`unexpected reply ${reply.type}`);
    return { pacing: reply.pacing, pacedSources: reply.pacedSources };
  }

  /** The thread's Prometheus metrics (pacing deviation, jitter) in the text format. */
  async metrics(): Promise<string> {
    const reply = await this.ask((req) => ({ op: 'metrics', req }));
    if (reply.type !== 'metrics') throw new Error(`unexpected reply ${reply.type}`);
    return reply.text;
  }

  /** Spare socket pairs bound and ready (all pools). */
  get spareCount(): number {
    let n = 0;
    for (const pool of this.spares.values()) n += pool.ready.length;
    return n;
  }

  /**
   * Binds the node's SIP UDP socket on the thread (port 0: a free one) for an endpoint to use
   * (SipEndpointOptions.udp). If the thread dies, the next one binds the same port again, and
   * `onRestoreFailed` hears when it cannot.
   */
  async listenSip(
    host: string,
    port: number,
    onRestoreFailed: (error: Error) => void = () => undefined,
  ): Promise<UdpPort> {
    if (this.sip) throw new Error('the SIP socket is bound already');
    const bound = await this.bindSip(host, port);
    const sip: SipSocket = {
      host,
      port: bound,
      receiver: undefined,
      early: [],
      answer: undefined,
      onRestoreFailed,
    };
    this.sip = sip;
    return {
      port: bound,
      receive: (handler) => {
        sip.receiver = handler;
        for (const args of sip.early.splice(0)) handler(...args);
      },
      send: (data, address, toPort) => this.send({ op: 'sip-send', data, address, port: toPort }),
      close: async () => {
        if (this.sip !== sip) return;
        this.sip = undefined;
        if (this.worker) await this.ask((req) => ({ op: 'sip-close', req })).catch(() => undefined);
      },
    };
  }

  /**
   * Has the thread answer plain new calls on arrival (sip/immediate-answer.ts) within what `board`
   * admits: their INVITEs reach the endpoint with the answer and the opened session attached.
   */
  answerOnArrival(config: AnswerOnArrivalConfig): void {
    if (!this.sip) throw new Error('the SIP socket is not on the thread');
    this.sip.answer = config;
    this.send({ op: 'sip-answer', config: { ...config, board: config.board.buffer } });
  }

  private async bindSip(host: string, port: number): Promise<number> {
    const reply = await this.ask((req) => ({ op: 'sip-listen', req, host, port }));
    if (reply.type === 'sip-listening') return reply.port;
    if (reply.type === 'sip-listen-failed') throw new Error(`sip: ${reply.message}`);
    throw new Error(`unexpected reply ${reply.type}`);
  }

  /** A new thread binds the SIP port its predecessor had, and answers as it did. */
  private async restoreSip(sip: SipSocket): Promise<void> {
    try {
      await this.bindSip(sip.host, sip.port);
      if (this.sip === sip && sip.answer)
        this.send({ op: 'sip-answer', config: { ...sip.answer, board: sip.answer.board.buffer } });
    } catch (error) {
      if (this.sip === sip) sip.onRestoreFailed(error as Error);
    }
  }

  private receiveSip(args: Parameters<UdpReceiver>): void {
    const sip = this.sip;
    if (!sip) return args[3]?.discard();
    if (sip.receiver) sip.receiver(...args);
    else sip.early.push(args);
  }

  /** A call the thread answered: its session joins the others, the INVITE goes to the endpoint. */
  private adoptAnswered(event: Extract<RtpThreadEvent, { type: 'sip-answered' }>): void {
    const { session: opened } = event;
    const memory = new SessionMemory(opened.buffer);
    const answer = this.sip?.answer;
    const offered = answer ? decodeAnsweredOptions(event, answer) : undefined;
    // A session this side cannot describe is closed; the call still goes to the endpoint, whose
    // application finds no media to adopt and hangs up (the caller has the 200).
    if (!offered) this.send({ op: 'close', id: opened.id });
    const session = offered
      ? new ThreadRtpSession(
          this,
          opened.id,
          memory,
          opened.port,
          opened.address,
          opened.ssrc,
          offered,
        )
      : undefined;
    if (session) this.sessions.set(opened.id, session);
    const media: AnsweredMedia | undefined = session && {
      session,
      sdpSessionId: event.sdpSessionId,
    };
    const [trying, ringing, ok] = event.responses.map((r) => toBuffer(r));
    const answered: AnsweredOnArrival = {
      toTag: event.toTag,
      responses: [trying!, ringing!, ok!],
      receivedAt: event.receivedAt,
      answeredAt: event.answeredAt,
      media,
      discard: () => session?.close(),
    };
    try {
      this.receiveSip([toBuffer(event.data), event.address, event.port, answered]);
    } finally {
      answer?.board.release(); // counted by whoever took the call, or given up
    }
  }

  /** Asks for the pairs a pool lacks; a range with no free pair refills on the next open. */
  private refill(pool: SparePool): void {
    while (pool.ready.length + pool.binding < SPARE_PAIRS && !this.stopped) {
      pool.binding++;
      const bound = this.ask((req) => ({
        op: 'spare',
        req,
        host: pool.host,
        portRange: pool.portRange,
      }));
      bound.then(
        (reply) => {
          pool.binding--;
          if (reply.type === 'spare')
            pool.ready.push({ req: reply.req, port: reply.port, address: reply.address });
        },
        () => pool.binding--, // the thread is gone, and its pairs with it
      );
    }
  }

  /** Stops the thread; its sessions end with it. */
  async close(): Promise<void> {
    this.stopped = true;
    this.spares.clear();
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    this.sessions.clear();
    if (worker) await worker.terminate();
  }

  /** @internal */
  send(request: RtpThreadRequest): void {
    this.worker?.postMessage(request);
  }

  /** @internal */
  forget(id: number): void {
    this.sessions.delete(id);
  }

  private async ask(build: (req: number) => RtpThreadRequest): Promise<RtpThreadEvent> {
    await this.spawn();
    const req = this.nextId++;
    const reply = new Promise<RtpThreadEvent>((resolve, reject) =>
      this.requests.set(req, { resolve, reject }),
    );
    this.send(build(req));
    return reply;
  }

  private spawn(): Promise<Worker> {
    if (this.stopped) return Promise.reject(new Error('the RTP thread is stopped'));
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const eventLoop = getPriority(0);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          timeOrigin: performance.timeOrigin,
          nice: Math.max(-20, eventLoop - SEPARATION),
        } satisfies RtpThreadData,
      });
      // The sessions' sockets live on the thread; the node's own sockets keep the process up.
      worker.unref();
      this.worker = worker;
      worker.on('message', (event: RtpThreadEvent) => {
        if (event.type === 'ready') {
          this.settlePriority(event.nice, event.tid);
          resolve(worker);
        } else this.onEvent(event);
      });
      const fail = (error: Error): void => {
        reject(error);
        this.onExit(worker, error);
      };
      worker.on('error', (e) => fail(new Error('the RTP thread crashed', { cause: e })));
      worker.on('exit', (code) => fail(new Error(`the RTP thread exited (code ${code})`)));
    });
    return this.ready;
  }

  /**
   * The thread reports the nice value it got and its thread id; every other thread of the process
   * steps down to SEPARATION above it, which changes nothing when the thread was raised that far
   * (nice values are per thread on Linux). A thread started again after a crash inherits the event
   * loop's lowered priority; the others step down further, as far as nice 19 allows.
   */
  private settlePriority(threadNice: number, tid: number | undefined): void {
    lowerOtherThreads(tid, Math.min(NICE_MAX, threadNice + SEPARATION));
    this.currentPriority = {
      thread: threadNice,
      eventLoop: getPriority(0),
      threadRaised: threadNice < this.baseNice,
    };
  }

  private onEvent(event: RtpThreadEvent): void {
    switch (event.type) {
      case 'frames':
        for (const id of event.ids) this.sessions.get(id)?.pump();
        return;
      case 'opened':
        this.opening.get(event.id)?.resolve(event);
        this.opening.delete(event.id);
        return;
      case 'open-failed': {
        const error = new Error(event.message);
        error.name = event.name;
        const opening = this.opening.get(event.id);
        this.opening.delete(event.id);
        if (opening) opening.reject(error);
        // answered on a spare pair already: the call ends as if its media stopped
        else this.sessions.get(event.id)?.receive({ type: 'timeout', id: event.id });
        return;
      }
      case 'sip':
        this.receiveSip([toBuffer(event.data), event.address, event.port]);
        return;
      case 'sip-answered':
        this.adoptAnswered(event);
        return;
      case 'pacing':
      case 'metrics':
      case 'spare':
      case 'spare-failed':
      case 'sip-listening':
      case 'sip-listen-failed':
      case 'sip-closed':
        this.requests.get(event.req)?.resolve(event);
        this.requests.delete(event.req);
        return;
      case 'ready':
        return;
      default:
        this.sessions.get(event.id)?.receive(event);
    }
  }

  /** The thread is gone: its calls end (media timeout), waiting opens and requests fail. */
  private onExit(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    for (const pending of [...this.opening.values(), ...this.requests.values()])
      pending.reject(error);
    this.opening.clear();
    this.requests.clear();
    for (const pool of this.spares.values()) pool.ready = [];
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) session.receive({ type: 'timeout', id: session.id });
    if (this.sip && !this.stopped) void this.restoreSip(this.sip);
  }
}

/** A message's bytes as a Buffer (a Buffer crosses threads as a plain Uint8Array). */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The session options of a call answered on arrival, as the thread opened it. */
function decodeAnsweredOptions(
  event: Extract<RtpThreadEvent, { type: 'sip-answered' }>,
  answer: AnswerOnArrivalConfig,
): ThreadRtpSessionOptions | undefined {
  const { media } = event;
  const base = codecByName(media.codec.name);
  if (!base) return undefined;
  return {
    ...answer.session,
    codec: withPayloadType(base, media.codec.payloadType),
    ...(media.telephoneEventPayloadType === undefined
      ? {}
      : { telephoneEventPayloadType: media.telephoneEventPayloadType }),
    ...(media.remote ? { remote: media.remote } : {}),
    direction: media.direction,
    ssrc: event.session.ssrc,
  };
}
