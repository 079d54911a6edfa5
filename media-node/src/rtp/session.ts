// One call's RTP: a UDP socket pair from the port range, symmetric RTP (latch onto the first valid
// packet's source, then a connected socket), the outbound playout queue paced by the shared
// scheduler, the inbound path (decode -> jitter buffer -> one 20 ms frame per tick), RFC 4733 DTMF
// both ways, hold directions, a media timeout, RTCP reports and stats. The RTP timestamp advances
// by one packet interval every tick whether or not a packet is sent, so it always follows the wall
// clock: across silence, barge-in, DTMF and hold.

import { randomBytes } from 'node:crypto';
import { TypedEmitter } from '../lib/typed-emitter.js';
import type { Socket } from 'node:dgram';
import { FRAME_SAMPLES, FrameChunker } from '../audio/format.js';
import type { AudioSink } from './audio-sink.js';
import type { Codec } from './codec.js';
import { DtmfReceiver, DtmfSender, dtmfEventCode, type DtmfDigit } from './dtmf.js';
import { JitterBuffer, type JitterBufferOptions, type PlayoutFrame } from './jitter-buffer.js';
import {
  RTP_HEADER_BYTES,
  readRtpHeader,
  rtpHeader,
  writeRtpHeader,
  type RtpHeaderFields,
} from './packet.js';
import { PlayoutQueue, type TakenFrame } from './playout-queue.js';
import { bindPortPair, type BoundPair, type PortRange } from './port-pair.js';
import { RtcpReporter } from './rtcp-reporter.js';
import type { PacedSource, Pacer } from './scheduler.js';

/** SDP media direction from our side. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Where the far end receives RTP (from its SDP, or latched). */
export interface RemoteAddress {
  address: string;
  port: number;
  /** RTCP port when the SDP says (a=rtcp); default port + 1. */
  rtcpPort?: number;
}

/** How a session is set up; see docs/media.md for defaults. */
export interface RtpSessionOptions {
  /** The process's PacingScheduler. */
  scheduler: Pacer;
  codec: Codec;
  /** Negotiated telephone-event payload type; without it DTMF is neither sent nor read. */
  telephoneEventPayloadType?: number;
  /** Local address to bind (default 127.0.0.1). */
  host?: string;
  /** Port range for RTP (even) and RTCP (+1); default 20000-29999. */
  portRange?: PortRange;
  /** The far end from its SDP; may be set later with setRemote(). */
  remote?: RemoteAddress;
  /** Latch onto the source of the first valid packet (default true: peers behind NAT). */
  symmetric?: boolean;
  /** 'suppress' (default): send nothing while idle; 'send': send silence frames. */
  silence?: 'suppress' | 'send';
  /** Emit 'timeout' after this long without RTP while sendrecv; 0 disables (default 30000). */
  mediaTimeoutMs?: number;
  jitter?: JitterBufferOptions;
  /** Interval between RTCP reports; 0 disables RTCP (default 5000). */
  rtcpIntervalMs?: number;
  cname?: string;
  ssrc?: number;
  now?: () => number;
  /** Closes the session when aborted. */
  signal?: AbortSignal;
}

/** Events of an RtpSession. */
export type RtpSessionEvents = {
  /**
   * A 20 ms frame of the caller's audio, once per tick after the stream started. The frame is
   * the jitter buffer's storage, rewritten about 1.3 s later: copy it to keep it longer.
   */
  audio: [frame: Int16Array, kind: PlayoutFrame['kind']];
  dtmf: [digit: DtmfDigit];
  /** No RTP for mediaTimeoutMs while sendrecv (fires once until media returns). */
  timeout: [];
  /** Symmetric RTP latched onto this source. */
  latched: [remote: RemoteAddress];
  /** A socket error (the session keeps running; sends are best effort). */
  socketError: [error: Error];
  closed: [];
};

/** Counters of one session. */
export interface RtpSessionStats {
  packetsSent: number;
  octetsSent: number;
  packetsReceived: number;
  lost: number;
  jitterMs: number;
  late: number;
  duplicates: number;
  concealed: number;
  malformed: number;
  dtmfSent: number;
  dtmfReceived: number;
  queuedFrames: number;
}

const SEND_BUFFERS = 8;
const SEND_ERROR_CHECK_EVERY = 64; // a power of two
const DTMF_GAP_TICKS = 3;

export class RtpSession extends TypedEmitter<RtpSessionEvents> implements AudioSink, PacedSource {
  readonly localPort: number;
  readonly localAddress: string;
  readonly ssrc: number;
  private codec: Codec;
  private tePayloadType: number | undefined;
  private remote: RemoteAddress | undefined;
  private connectState: 'idle' | 'connecting' | 'connected' = 'idle';
  private latched = false;
  private direction: MediaDirection = 'sendrecv';
  private timestamp: number;
  private sequence: number;
  private talkspurt = false;
  private readonly queue: PlayoutQueue;
  private readonly sendBuffers: Uint8Array[];
  private sendIndex = 0;
  private readonly dtmfQueue: { digit: string; ms: number }[] = [];
  private dtmf: DtmfSender | undefined;
  private dtmfGap = 0;
  private dtmfRx = new DtmfReceiver();
  private readonly jitter: JitterBuffer;
  private readonly chunker = new FrameChunker();
  private readonly inbound: Int16Array[] = [];
  /** The frame taken from the queue this tick (reused). */
  private readonly taken: TakenFrame = { payload: new Uint8Array(0), length: 0, onSent: undefined };
  /** The header fields of the packet being sent (reused, like the send buffers). */
  private readonly tx: RtpHeaderFields;
  /** The header of the packet being received (one per session: parsing allocates nothing). */
  private readonly rx = rtpHeader();
  /** Scratch the payload is decoded into before the jitter buffer copies it. */
  private decoded = new Int16Array(FRAME_SAMPLES);
  private remoteSsrc: number | undefined;
  private lastKind: PlayoutFrame['kind'] = 'audio';
  private lastRtpAt: number;
  private timedOut = false;
  private closed = false;
  private readonly silencePayload: Uint8Array;
  private readonly rtcp: RtcpReporter | undefined;
  private readonly now: () => number;
  private readonly counts = {
    packetsSent: 0,
    octetsSent: 0,
    malformed: 0,
    dtmfSent: 0,
    dtmfReceived: 0,
  };
  /** performance.now() when the most recent utterance's first frame was sent. */
  lastFirstFrameSentAt: number | undefined;

  private constructor(
    private readonly options: RtpSessionOptions,
    private readonly socket: Socket,
    private readonly rtcpSocket: Socket,
    port: number,
  ) {
    super();
    this.localPort = port;
    this.localAddress = socket.address().address;
    this.now = options.now ?? (() => performance.now());
    this.codec = options.codec;
    this.tePayloadType = options.telephoneEventPayloadType;
    this.remote = options.remote;
    this.ssrc = options.ssrc ?? randomBytes(4).readUInt32BE(0);
    this.timestamp = randomBytes(4).readUInt32BE(0);
    this.sequence = randomBytes(2).readUInt16BE(0);
    this.tx = { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: this.ssrc };
    this.queue = new PlayoutQueue(this.codec);
    this.sendBuffers = Array.from(
      { length: SEND_BUFFERS },
      () => new Uint8Array(RTP_HEADER_BYTES + 1500),
    );
    this.jitter = new JitterBuffer({ clockRate: this.codec.clockRate, ...options.jitter });
    this.silencePayload = new Uint8Array(this.codec.maxPayloadBytes);
    this.codec.encode(new Int16Array(FRAME_SAMPLES), this.silencePayload);
    this.lastRtpAt = this.now();
    const interval = options.rtcpIntervalMs ?? 5000;
    if (interval > 0) {
      this.rtcp = new RtcpReporter(
        this.ssrc,
        options.cname ?? `${this.ssrc.toString(16)}@voicefleet`,
        interval,
      );
    }
    socket.on('message', (msg, rinfo) => this.onRtp(msg, rinfo.address, rinfo.port));
    socket.on('error', (err) => this.emit('socketError', err));
    rtcpSocket.on('message', (msg) => this.rtcp?.receive(msg, this.now()));
    rtcpSocket.on('error', (err) => this.emit('socketError', err));
    if (this.remote && options.symmetric === false) this.connectTo(this.remote);
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Binds a socket pair and starts pacing the new session. */
  static async open(options: RtpSessionOptions): Promise<RtpSession> {
    const host = options.host ?? '127.0.0.1';
    const pair = await bindPortPair(host, options.portRange ?? { min: 20000, max: 29999 });
    return RtpSession.onPair(options, pair);
  }

  /** Starts pacing a new session on a socket pair bound earlier (host and range are ignored). */
  static onPair(options: RtpSessionOptions, pair: BoundPair): RtpSession {
    const session = new RtpSession(options, pair.rtp, pair.rtcp, pair.port);
    options.scheduler.add(session);
    return session;
  }

  // ---- AudioSink ----------------------------------------------------------------------------

  get queuedFrames(): number {
    return this.queue.length;
  }

  write(frame: Int16Array): void {
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`audio frames have ${FRAME_SAMPLES} samples, got ${frame.length}`);
    }
    if (!this.closed) this.queue.write(frame);
  }

  clear(): void {
    this.queue.clear();
    this.talkspurt = false;
  }

  onFirstFrameSent(callback: (sentAtMs: number) => void): void {
    this.queue.onFirstFrameSent(callback);
  }

  // ---- control ------------------------------------------------------------------------------

  /** Queues a DTMF key press; false when telephone-event was not negotiated or not a digit. */
  sendDtmf(digit: string, durationMs = 100): boolean {
    if (this.tePayloadType === undefined || dtmfEventCode(digit) === undefined) return false;
    this.dtmfQueue.push({ digit, ms: durationMs });
    return true;
  }

  /** Sets our direction (hold: sendonly/inactive; held: recvonly). Timestamps keep running. */
  setDirection(direction: MediaDirection): void {
    if (direction === 'sendrecv' && this.direction !== 'sendrecv') {
      this.lastRtpAt = this.now();
      this.timedOut = false;
    }
    this.direction = direction;
    this.talkspurt = false;
  }

  get currentDirection(): MediaDirection {
    return this.direction;
  }

  /** Points the session at a (new) far end, e.g. after a re-INVITE. */
  setRemote(remote: RemoteAddress): void {
    this.remote = remote;
    if (this.connectState === 'connected') {
      this.socket.disconnect();
      this.connectState = 'idle';
    }
    this.latched = false;
    if (this.options.symmetric === false) this.connectTo(remote);
  }

  /** Switches codec / telephone-event payload type (re-INVITE). Queued audio is dropped. */
  setCodec(codec: Codec, telephoneEventPayloadType?: number): void {
    this.codec = codec;
    this.tePayloadType = telephoneEventPayloadType;
    this.queue.setCodec(codec);
    this.silencePayload.fill(0);
    this.codec.encode(new Int16Array(FRAME_SAMPLES), this.silencePayload);
  }

  get remoteAddress(): RemoteAddress | undefined {
    return this.remote;
  }

  stats(): RtpSessionStats {
    const j = this.jitter.stats();
    return {
      ...this.counts,
      packetsReceived: j.received,
      lost: j.lost,
      jitterMs: j.jitterMs,
      late: j.late,
      duplicates: j.duplicates,
      concealed: j.concealed,
      queuedFrames: this.queue.length,
    };
  }

  /** The last RTCP round-trip time to the far end, ms; NaN until it reports on our stream. */
  get rttMs(): number {
    return this.rtcp?.rttMs ?? Number.NaN;
  }

  /** Packets sent, packets received, packets lost and jitter (ms) into `out[at..at+3]`. */
  writeCounters(out: Float64Array, at = 0): void {
    out[at] = this.counts.packetsSent;
    out[at + 1] = this.jitter.received;
    out[at + 2] = this.jitter.lost;
    out[at + 3] = this.jitter.jitterMs;
  }

  /** Stops pacing and closes the sockets. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.scheduler.remove(this);
    this.queue.clear();
    this.socket.close();
    this.rtcpSocket.close();
    this.emit('closed');
  }

  // ---- paced tick ---------------------------------------------------------------------------

  onTick(now: number): void {
    if (this.closed) return;
    this.tickReceive();
    this.tickSend(now);
    this.timestamp = (this.timestamp + this.codec.samplesPerPacket) >>> 0;
    this.tickTimeout(now);
    this.tickRtcp(now);
  }

  onSkip(periods: number): void {
    this.timestamp = (this.timestamp + periods * this.codec.samplesPerPacket) >>> 0;
    this.talkspurt = false;
  }

  private tickSend(now: number): void {
    const sending = this.direction === 'sendrecv' || this.direction === 'sendonly';
    if (!sending || !this.remote) {
      this.talkspurt = false;
      return;
    }
    if (this.sendDtmfTick()) return;
    const item = this.taken;
    if (this.queue.take(item)) {
      this.send(!this.talkspurt, this.codec.payloadType, this.timestamp, item.payload, item.length);
      this.talkspurt = true;
      if (item.onSent) {
        this.lastFirstFrameSentAt = now;
        item.onSent(now);
      }
    } else if (this.options.silence === 'send') {
      const bytes = this.codec.samplesPerPacket;
      this.send(
        !this.talkspurt,
        this.codec.payloadType,
        this.timestamp,
        this.silencePayload,
        bytes,
      );
      this.talkspurt = true;
    } else {
      this.talkspurt = false;
    }
  }

  /** Sends this tick's DTMF packet if a key press is in progress; true when it did. */
  private sendDtmfTick(): boolean {
    if (!this.dtmf) {
      if (this.dtmfGap > 0) this.dtmfGap--;
      const next = this.dtmfGap === 0 ? this.dtmfQueue.shift() : undefined;
      if (!next || this.tePayloadType === undefined) return false;
      this.dtmf = new DtmfSender(next.digit, next.ms, this.timestamp, this.codec.samplesPerPacket);
    }
    const p = this.dtmf.next();
    if (p && this.tePayloadType !== undefined) {
      this.send(p.marker, this.tePayloadType, p.timestamp, p.payload, p.payload.length);
    }
    if (this.dtmf.done) {
      this.dtmf = undefined;
      this.dtmfGap = DTMF_GAP_TICKS;
      this.counts.dtmfSent++;
      this.talkspurt = false; // audio after an event starts a new talkspurt
    }
    return true;
  }

  private send(
    marker: boolean,
    payloadType: number,
    timestamp: number,
    payload: Uint8Array,
    length: number,
  ): void {
    const remote = this.remote;
    if (!remote) return;
    const buf = this.sendBuffers[this.sendIndex] ?? new Uint8Array(RTP_HEADER_BYTES + length);
    this.sendIndex = (this.sendIndex + 1) % SEND_BUFFERS;
    const h = this.tx;
    h.marker = marker;
    h.payloadType = payloadType;
    h.sequenceNumber = this.sequence;
    h.timestamp = timestamp;
    writeRtpHeader(buf, h);
    buf.set(length === payload.length ? payload : payload.subarray(0, length), RTP_HEADER_BYTES);
    this.sequence = (this.sequence + 1) & 0xffff;
    const size = RTP_HEADER_BYTES + length;
    // A send callback costs a process.nextTick per packet even when the datagram left at once, and
    // UDP reports failures only through it; one packet in 64 (1.3 s) carries it, so a far end
    // that keeps refusing still surfaces as a socketError.
    const onSent = (this.sequence & (SEND_ERROR_CHECK_EVERY - 1)) === 0 ? this.onSent : undefined;
    if (this.connectState === 'connected') this.socket.send(buf, 0, size, onSent);
    else this.socket.send(buf, 0, size, remote.port, remote.address, onSent);
    this.counts.packetsSent++;
    this.counts.octetsSent += length;
    this.rtcp?.onSent(timestamp, length);
  }

  private readonly onSent = (err: Error | null): void => {
    if (err) this.emit('socketError', err);
  };

  private tickReceive(): void {
    if (this.direction === 'sendonly' || this.direction === 'inactive') return;
    if (this.inbound.length === 0) {
      const played = this.jitter.pop();
      if (!played) return;
      if (played.samples.length === FRAME_SAMPLES) this.inbound.push(played.samples);
      else this.inbound.push(...this.chunker.push(played.samples));
      this.lastKind = played.kind;
    }
    const frame = this.inbound.shift();
    if (frame) this.emit('audio', frame, this.lastKind);
  }

  private tickTimeout(now: number): void {
    const limit = this.options.mediaTimeoutMs ?? 30000;
    if (limit <= 0 || this.direction !== 'sendrecv' || this.timedOut) return;
    if (now - this.lastRtpAt >= limit) {
      this.timedOut = true;
      this.emit('timeout');
    }
  }

  private tickRtcp(now: number): void {
    const remote = this.remote;
    if (!this.rtcp || !remote || !this.rtcp.due(now)) return;
    const report = this.rtcp.build(now, this.timestamp, this.remoteSsrc, this.jitter.stats());
    this.rtcpSocket.send(report, remote.rtcpPort ?? remote.port + 1, remote.address, this.onSent);
  }

  // ---- inbound ------------------------------------------------------------------------------

  private onRtp(msg: Buffer, address: string, port: number): void {
    if (this.closed) return;
    const h = this.rx;
    if (readRtpHeader(msg, h) !== undefined) {
      this.counts.malformed++;
      return;
    }
    const isAudio = h.payloadType === this.codec.payloadType;
    const isDtmf = this.tePayloadType !== undefined && h.payloadType === this.tePayloadType;
    if (!isAudio && !isDtmf) {
      this.counts.malformed++;
      return;
    }
    if (this.connectState !== 'connected' && !this.acceptSource(address, port)) return;
    this.lastRtpAt = this.now();
    this.timedOut = false;
    if (h.ssrc !== this.remoteSsrc) {
      this.remoteSsrc = h.ssrc;
      this.jitter.reset();
      this.dtmfRx = new DtmfReceiver();
    }
    if (this.direction === 'sendonly' || this.direction === 'inactive') return;
    const payload = msg.subarray(h.payloadStart, h.payloadEnd);
    if (isDtmf) {
      const digit = this.dtmfRx.receive(h.timestamp, payload);
      if (digit) {
        this.counts.dtmfReceived++;
        this.emit('dtmf', digit);
      }
      return;
    }
    const n = this.codec.decodedSamples(payload);
    if (this.decoded.length !== n) this.decoded = new Int16Array(n);
    this.codec.decode(payload, this.decoded);
    this.jitter.push(h.sequenceNumber, h.timestamp, this.decoded, this.lastRtpAt);
  }

  /** Symmetric RTP: latch onto the first valid source; otherwise only the SDP address. */
  private acceptSource(address: string, port: number): boolean {
    if (this.options.symmetric !== false && !this.latched) {
      const rtcpPort = this.remote?.rtcpPort;
      this.remote = { address, port, ...(rtcpPort !== undefined ? { rtcpPort } : {}) };
      this.latched = true;
      this.connectTo(this.remote);
      this.emit('latched', this.remote);
      return true;
    }
    return this.remote?.address === address && this.remote.port === port;
  }

  /** Connects the RTP socket (cheaper sends, and only the far end's packets come in). */
  private connectTo(remote: RemoteAddress): void {
    if (this.connectState !== 'idle') return; // the pending connect re-checks the remote
    this.connectState = 'connecting';
    this.socket.connect(remote.port, remote.address, (err?: Error) => {
      if (this.closed) return;
      if (err) {
        this.connectState = 'idle';
        this.emit('socketError', err);
        return;
      }
      this.connectState = 'connected';
      const current = this.remote;
      if (current !== remote && current) {
        this.socket.disconnect();
        this.connectState = 'idle';
        if (this.options.symmetric === false || this.latched) this.connectTo(current);
      }
    });
  }
}
