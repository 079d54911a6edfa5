// The event loop's side of the RTP thread (worker/): starts the thread, opens call sessions on it
// (thread-rtp-session.ts), keeps socket pairs bound ahead there, and stands in for the node's SIP
// UDP socket, which lives on the thread and answers plain new calls on arrival. If the thread
// dies, every session reports a media timeout (so its call ends with a BYE, not silence), the next
// session starts a new thread, and the SIP socket is bound again on its port. The thread runs
// ahead of every other thread of the process (priority.ts).
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { typeScriptWorkerSource } from '../../lib/worker-source.js';
import type { PortRange } from '../../rtp/port-pair.js';
import type { AnsweredOnArrival, UdpPort, UdpReceiver } from '../../sip/index.js';
import type { AdmissionBoard } from '../admission-board.js';
import { NICE_MAX, SEPARATION, lowerOtherThreads, type RtpThreadPriority } from '../priority.js';
import {
  codecOf,
  type AnswerOnArrivalConfig,
  type PacingReport,
  type RtpThreadData,
  type RtpThreadEvent,
  type RtpThreadRequest,
} from '../protocol.js';
import { SessionMemory } from '../session-memory.js';
import {
  ThreadRtpSession,
  type SessionHost,
  type ThreadRtpSessionOptions,
} from './thread-rtp-session.js';

const WORKER_SOURCE = typeScriptWorkerSource(new URL('../worker/main.ts', import.meta.url));

/**
 * Socket pairs the thread keeps bound for each range the node opens calls in (keepSpares): a call
 * takes one and is answered without waiting for the thread. Refills go out as calls take them; 16
 * covers a stall of the event loop of 300 ms at 50 calls/s, during which no refill comes back.
 */
const SPARE_PAIRS = 16;

/** Socket pairs bound on the thread for one host and port range, and the refills on their way. */
interface SparePool {
  host: string;
  portRange: PortRange;
  ready: { req: number; port: number; address: string }[];
  binding: number;
}

const poolKey = (host: string, range: PortRange): string => `${host} ${range.min}-${range.max}`;

/** The media of a call answered on arrival (AnsweredOnArrival.media), for the media factory. */
export interface AnsweredOnArrivalMedia {
  session: ThreadRtpSession;
  /** o= session id of the SDP answer that left. */
  sdpSessionId: number;
}

/** Answering on arrival as the event loop configures it (the board instead of its memory). */
export type AnswerOnArrivalOptions = Omit<AnswerOnArrivalConfig, 'board'> & {
  board: AdmissionBoard;
  /**
   * The INVITE transactions the event loop's endpoint holds (serverKey). A thread started again
   * after a crash is told them, so it never answers a retransmission of an INVITE the endpoint
   * already has (the endpoint answers it, as it owns it).
   */
  heldInvites?: () => string[];
};

/** The node's SIP UDP socket on the thread, as the event loop knows it. */
interface SipSocket {
  host: string;
  port: number;
  receiver: UdpReceiver | undefined;
  /** Datagrams that came before the endpoint took the socket. */
  early: Parameters<UdpReceiver>[];
  answer: AnswerOnArrivalOptions | undefined;
  onRestoreFailed: (error: Error) => void;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** The RTP thread of the process: start it once, open every call's session on it. */
export class RtpThread implements SessionHost {
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
   * Has the thread answer plain new calls on arrival (worker/answer-on-arrival.ts) within what
   * `board` admits: their INVITEs reach the endpoint with the answer and the opened session
   * attached, ahead of every later datagram of the call (one ordered channel: the endpoint owns
   * the transaction and the dialog from the first message it reads).
   */
  answerOnArrival(config: AnswerOnArrivalOptions): void {
    if (!this.sip) throw new Error('the SIP socket is not on the thread');
    this.sip.answer = config;
    this.sendAnswerConfig(config);
  }

  private sendAnswerConfig(options: AnswerOnArrivalOptions): void {
    const { heldInvites, board, ...rules } = options;
    this.send({
      op: 'sip-answer',
      config: { ...rules, board: board.buffer },
      seen: heldInvites?.() ?? [],
    });
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
      if (this.sip === sip && sip.answer) this.sendAnswerConfig(sip.answer);
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
  private takeOverAnswered(event: Extract<RtpThreadEvent, { type: 'answered-on-arrival' }>): void {
    const { session: opened } = event;
    const memory = new SessionMemory(opened.buffer);
    const answer = this.sip?.answer;
    const offered = answer ? decodeAnsweredOptions(event, answer) : undefined;
    // A session this side cannot describe is closed; the call still goes to the endpoint, whose
    // application finds no media to take over and hangs up (the caller has the 200).
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
    const media: AnsweredOnArrivalMedia | undefined = session && {
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
      case 'answered-on-arrival':
        this.takeOverAnswered(event);
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
  event: Extract<RtpThreadEvent, { type: 'answered-on-arrival' }>,
  answer: AnswerOnArrivalOptions,
): ThreadRtpSessionOptions | undefined {
  const { media } = event;
  const codec = codecOf(media.codec);
  if (!codec) return undefined;
  return {
    ...answer.session,
    codec,
    ...(media.telephoneEventPayloadType === undefined
      ? {}
      : { telephoneEventPayloadType: media.telephoneEventPayloadType }),
    ...(media.remote ? { remote: media.remote } : {}),
    direction: media.direction,
    ssrc: event.session.ssrc,
  };
}
