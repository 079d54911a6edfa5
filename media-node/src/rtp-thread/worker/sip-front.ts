// The node's SIP UDP socket, on the RTP thread. Every datagram goes on to the event loop's endpoint
// as it came, except a new call's INVITE that can be answered on arrival (answer-on-arrival.ts):
// the thread takes a call slot (AdmissionBoard) and a socket pair bound ahead, opens the call's RTP
// session on the pair, sends 100, 180 and the 200 with the SDP answer, and hands the INVITE with
// its answer and session to the event loop, which takes the call over. The thread runs ahead of
// the event loop, so the 200 leaves within a millisecond or two of the INVITE whatever the event
// loop is doing (its garbage collection, the other calls' turns).
import { randomBytes, randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { bindPortPair, type BoundPair } from '../../rtp/port-pair.js';
import { AdmissionBoard } from '../admission-board.js';
import type {
  AnswerOnArrivalConfig,
  AnsweredMediaOptions,
  AnsweredOnArrivalEvent,
  ThreadSessionOptions,
} from '../protocol.js';
import { SessionMemory } from '../session-memory.js';
import { answerableInvite, writeArrivalAnswer } from './answer-on-arrival.js';

/** What the thread does for the front. */
export interface SipFrontHost {
  /** performance.now() on the event loop's clock. */
  now(): number;
  forward(data: Buffer, address: string, port: number): void;
  answered(event: AnsweredOnArrivalEvent): void;
  /** Starts a session on `pair` in this turn. */
  openOn(id: number, memory: SessionMemory, options: ThreadSessionOptions, pair: BoundPair): void;
}

/** Socket pairs bound ahead for calls answered on arrival. */
const PAIRS = 16;
/** INVITE transactions remembered: a second copy of one is never answered here. */
const SEEN = 4096;

const ignore = (): void => undefined;

export class SipFront {
  readonly #socket: dgram.Socket;
  readonly #host: SipFrontHost;
  #config: AnswerOnArrivalConfig | undefined;
  #board: AdmissionBoard | undefined;
  readonly #pairs: BoundPair[] = [];
  #binding = 0;
  readonly #seen = new Set<string>();
  #nextId = -1;
  #closed = false;

  private constructor(socket: dgram.Socket, host: SipFrontHost) {
    this.#socket = socket;
    this.#host = host;
    socket.on('message', (data, rinfo) => this.#receive(data, rinfo.address, rinfo.port));
  }

  static bind(address: string, port: number, host: SipFrontHost): Promise<SipFront> {
    const socket = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        socket.on('error', ignore); // a send to a vanished peer; the socket carries on
        resolve(new SipFront(socket, host));
      });
    });
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Answers plain new calls from now on (see the file's comment). */
  answerOnArrival(config: AnswerOnArrivalConfig, seen: readonly string[] = []): void {
    for (const key of seen) this.#remember(key);
    this.#config = config;
    this.#board = new AdmissionBoard(config.board);
    this.#refill();
  }

  send(data: Uint8Array, address: string, port: number): void {
    if (!this.#closed) this.#socket.send(data, port, address, ignore);
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const pair of this.#pairs.splice(0)) {
      pair.rtp.close();
      pair.rtcp.close();
    }
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  #receive(data: Buffer, address: string, port: number): void {
    let answered = false;
    try {
      answered = this.#answer(data, address, port);
    } catch {
      // the event loop's endpoint answers what could not be answered here, or says why
    }
    if (!answered) this.#host.forward(data, address, port);
  }

  #answer(data: Buffer, address: string, port: number): boolean {
    const config = this.#config;
    const board = this.#board;
    if (!config || !board) return false;
    const receivedAt = this.#host.now();
    const invite = answerableInvite(data, config);
    if (!invite || this.#remember(invite.key)) return false;
    if (!board.tryTake()) return false;
    const pair = this.#pairs.shift();
    this.#refill();
    if (!pair) {
      board.release();
      return false;
    }
    const source = { address, port, transport: 'udp' as const };
    const ids = { toTag: randomBytes(6).toString('hex'), sdpSessionId: randomInt(1, 2 ** 31) };
    let answer: ReturnType<typeof writeArrivalAnswer>;
    try {
      answer = writeArrivalAnswer(invite, source, pair.port, config, ids);
    } catch (error) {
      board.release();
      this.#pairs.unshift(pair);
      throw error;
    }
    const { media } = invite.negotiation;
    const id = this.#nextId--;
    const memory = SessionMemory.create();
    const ssrc = randomBytes(4).readUInt32BE(0);
    pair.rtp.off('error', ignore);
    pair.rtcp.off('error', ignore);
    const negotiated: AnsweredMediaOptions = {
      codec: { name: media.codec.name, payloadType: media.codec.payloadType },
      ...(media.telephoneEventPayloadType === undefined
        ? {}
        : { telephoneEventPayloadType: media.telephoneEventPayloadType }),
      ...(media.remote ? { remote: media.remote } : {}),
      direction: media.direction,
    };
    this.#host.openOn(id, memory, { ...config.session, ...negotiated, ssrc }, pair);
    const { destination } = answer;
    for (const response of answer.responses)
      this.#socket.send(response, destination.port, destination.address, ignore);
    this.#host.answered({
      data,
      address,
      port,
      toTag: answer.toTag,
      responses: answer.responses,
      sdpSessionId: answer.sdpSessionId,
      session: {
        id,
        buffer: memory.buffer,
        port: pair.port,
        address: pair.rtp.address().address,
        ssrc,
      },
      media: negotiated,
      receivedAt,
      answeredAt: this.#host.now(),
    });
    return true;
  }

  /** Notes an INVITE transaction; true when it was seen before. */
  #remember(key: string): boolean {
    if (this.#seen.has(key)) return true;
    this.#seen.add(key);
    if (this.#seen.size > SEEN) this.#seen.delete(this.#seen.values().next().value!);
    return false;
  }

  /** Binds the pairs the pool lacks, in the background; a range with none free waits for a take. */
  #refill(): void {
    const config = this.#config;
    if (!config) return;
    while (this.#pairs.length + this.#binding < PAIRS && !this.#closed) {
      this.#binding++;
      bindPortPair(config.rtpHost, config.portRange).then(
        (pair) => {
          this.#binding--;
          pair.rtp.on('error', ignore);
          pair.rtcp.on('error', ignore);
          if (this.#closed) {
            pair.rtp.close();
            pair.rtcp.close();
          } else this.#pairs.push(pair);
        },
        () => this.#binding--,
      );
    }
  }
}
