// The RTP thread: every call's RtpSession and the one pacing scheduler run here, on a worker
// thread with a heap of its own, so the event loop's garbage collection (the agent's turns, gRPC
// streams, SIP) never holds a packet back. Audio crosses in shared memory (session-memory.ts);
// control and the rare events (DTMF, timeouts, "first frame sent") cross as messages
// (protocol.ts). Times sent back are on the event loop's performance.now() clock. The thread also
// watches each caller for a speech onset and holds the agent's audio there until the agent has
// heard it (barge-in, session-bridge.ts), and owns the node's SIP UDP socket (sip-front.ts).
import type { parentPort } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import { createRtpThreadMetrics } from '../../telemetry/metrics.js';
import { createOnsetClassifier } from '../../vad/onset.js';
import { loadWebRtcVad, type WebRtcVadFactory } from '../../vad/webrtc-vad.js';
import { bindPortPair, type BoundPair, type PortRange } from '../../rtp/port-pair.js';
import { PacingScheduler } from '../../rtp/scheduler.js';
import type { Codec } from '../../rtp/codec.js';
import { RtpSession } from '../../rtp/session.js';
import {
  codecOf,
  type CodecRef,
  type RtpThreadEvent,
  type RtpThreadRequest,
  type ThreadSessionOptions,
} from '../protocol.js';
import { SessionMemory } from '../session-memory.js';
import { OnsetWatch } from './onset-watch.js';
import { SessionBridge, type BridgeHost } from './session-bridge.js';
import { SipFront } from './sip-front.js';

function supportedCodec(ref: CodecRef): Codec {
  const found = codecOf(ref);
  if (!found) throw new Error(`codec ${ref.name} is not supported`);
  return found;
}

/** The thread's state: scheduler, sessions, metrics and the port to the event loop. */
export class RtpThreadHost implements BridgeHost {
  readonly scheduler: PacingScheduler;
  readonly registry: Registry;
  private readonly bridges = new Map<number, SessionBridge>();
  /** The WebRTC VAD module, for the sessions that watch for barge-in. */
  private readonly vad: Promise<WebRtcVadFactory>;
  /** Socket pairs bound ahead of the calls that will take them, by the request that bound them. */
  private readonly spares = new Map<number, BoundPair>();
  /** The WebRTC VAD module once loaded: sessions open without waiting a turn for it. */
  private vadLoaded: WebRtcVadFactory | undefined;
  /** Bridges with news for the event loop since the last 'frames' message. */
  private notified: SessionBridge[] = [];
  /** The node's SIP UDP socket, once bound here. */
  private sip: SipFront | undefined;
  private readonly now: () => number;

  constructor(
    private readonly port: NonNullable<typeof parentPort>,
    now: () => number,
  ) {
    const metrics = createRtpThreadMetrics(() => {
      let max = 0;
      for (const b of this.bridges.values()) max = Math.max(max, b.jitterMs);
      return max;
    });
    this.registry = metrics.registry;
    const deviation = metrics.pacingDeviation;
    this.scheduler = new PacingScheduler({ now, observeDeviation: (ms) => deviation.observe(ms) });
    // Loaded at start, not by the first call that needs it: that call's setup would wait for it.
    this.vad = loadWebRtcVad();
    this.vad.then(
      (vad) => (this.vadLoaded = vad),
      () => undefined, // reported by the first open that uses it
    );
    this.now = now;
  }

  post(event: RtpThreadEvent): void {
    this.port.postMessage(event);
  }

  /**
   * Tells the event loop which sessions have frames, once per run of the scheduler rather than
   * once per frame; naming them spares the event loop a look at every session each millisecond.
   */
  notifyFrames(bridge: SessionBridge): void {
    if (bridge.notified) return;
    bridge.notified = true;
    if (this.notified.push(bridge) === 1) process.nextTick(this.flushFrames);
  }

  private readonly flushFrames = (): void => {
    const ids = this.notified.map((b) => {
      b.notified = false;
      return b.id;
    });
    this.notified = [];
    this.post({ type: 'frames', ids });
  };

  handle(request: RtpThreadRequest): void {
    switch (request.op) {
      case 'open': {
        const { spare } = request;
        void this.open(
          request.id,
          new SessionMemory(request.buffer),
          request.options,
          spare === undefined ? undefined : () => this.takeSpare(spare),
        );
        return;
      }
      case 'sip-listen':
        void this.listenSip(request.req, request.host, request.port);
        return;
      case 'sip-answer':
        this.sip?.answerOnArrival(request.config, request.seen);
        return;
      case 'sip-send':
        this.sip?.send(request.data, request.address, request.port);
        return;
      case 'sip-close': {
        const sip = this.sip;
        this.sip = undefined;
        void (sip?.close() ?? Promise.resolve()).then(() =>
          this.post({ type: 'sip-closed', req: request.req }),
        );
        return;
      }
      case 'spare':
        void this.bindSpare(request.req, request.host, request.portRange);
        return;
      case 'pacing': {
        const pacing = this.scheduler.deviationStats();
        if (request.reset) this.scheduler.resetDeviation();
        this.post({ type: 'pacing', req: request.req, pacing, pacedSources: this.scheduler.size });
        return;
      }
      case 'metrics':
        void this.registry
          .metrics()
          .then((text) => this.post({ type: 'metrics', req: request.req, text }));
        return;
      default:
        this.control(request);
    }
  }

  private control(
    request: Extract<RtpThreadRequest, { op: 'codec' | 'remote' | 'direction' | 'dtmf' | 'close' }>,
  ): void {
    const session = this.bridges.get(request.id)?.session;
    if (!session) return;
    switch (request.op) {
      case 'codec':
        session.setCodec(supportedCodec(request.codec), request.telephoneEventPayloadType);
        return;
      case 'remote':
        session.setRemote(request.remote);
        return;
      case 'direction':
        session.setDirection(request.direction);
        return;
      case 'dtmf':
        session.sendDtmf(request.digit, request.durationMs);
        return;
      case 'close': {
        const bridge = this.bridges.get(request.id);
        this.bridges.delete(request.id);
        bridge?.close();
        return;
      }
    }
  }

  private async listenSip(req: number, address: string, port: number): Promise<void> {
    try {
      await this.sip?.close();
      this.sip = await SipFront.bind(address, port, {
        now: this.now,
        forward: (data, from, fromPort) =>
          this.post({ type: 'sip', data, address: from, port: fromPort }),
        answered: (event) => this.post({ type: 'answered-on-arrival', ...event }),
        openOn: (id, memory, options, pair) => void this.open(id, memory, options, () => pair),
      });
      this.post({ type: 'sip-listening', req, port: this.sip.port });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'sip-listen-failed', req, name: e.name, message: e.message });
    }
  }

  /**
   * A spare pair waits for its call with a listener that drops what reaches it (a datagram to a port
   * nobody was told of) and keeps a socket error from ending the thread.
   */
  private async bindSpare(req: number, host: string, portRange: PortRange): Promise<void> {
    try {
      const pair = await bindPortPair(host, portRange);
      pair.rtp.on('error', ignore);
      pair.rtcp.on('error', ignore);
      this.spares.set(req, pair);
      this.post({ type: 'spare', req, port: pair.port, address: pair.rtp.address().address });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'spare-failed', req, name: e.name, message: e.message });
    }
  }

  private takeSpare(req: number): BoundPair {
    const pair = this.spares.get(req);
    if (!pair) throw new Error(`no spare socket pair ${req} on the RTP thread`);
    this.spares.delete(req);
    pair.rtp.off('error', ignore);
    pair.rtcp.off('error', ignore);
    return pair;
  }

  /**
   * Opens a session. On a pair bound ahead (`pair`: a spare, or the SIP front's) the call is
   * answered already and waits for nothing: the session starts in this turn, so no datagram is
   * read before it listens (once the VAD module has loaded, which starts with the thread), and only
   * a failure is reported, as the media timeout that ends the call.
   */
  private async open(
    id: number,
    memory: SessionMemory,
    o: ThreadSessionOptions,
    pair: (() => BoundPair) | undefined,
  ): Promise<void> {
    const bridge = new SessionBridge(id, memory, this);
    this.bridges.set(id, bridge);
    try {
      const { codec: codecRef, bargeInOnsetFrames, direction, ...rest } = o;
      if (bargeInOnsetFrames !== undefined) {
        const vad = this.vadLoaded ?? (await this.vad);
        bridge.onset = new OnsetWatch(createOnsetClassifier(vad), bargeInOnsetFrames);
      }
      const options = {
        ...rest,
        codec: supportedCodec(codecRef),
        scheduler: bridge.pacer,
        now: this.now,
      };
      const session =
        pair === undefined ? await RtpSession.open(options) : RtpSession.onPair(options, pair());
      if (direction !== undefined) session.setDirection(direction);
      if (this.bridges.get(id) !== bridge) {
        bridge.session = session;
        bridge.close(); // closed while its sockets were being bound
        return;
      }
      bridge.session = session;
      session.on('audio', bridge.onAudio);
      session.on('dtmf', (digit) => this.post({ type: 'dtmf', id, digit }));
      session.on('timeout', () => this.post({ type: 'timeout', id }));
      session.on('latched', (remote) => this.post({ type: 'latched', id, remote }));
      session.on('socketError', (error) =>
        this.post({ type: 'socket-error', id, message: error.message }),
      );
      if (pair !== undefined) return;
      this.post({
        type: 'opened',
        id,
        port: session.localPort,
        address: session.localAddress,
        ssrc: session.ssrc,
      });
    } catch (error) {
      this.bridges.delete(id);
      bridge.close();
      const e = error instanceof Error ? error : new Error(String(error));
      this.post({ type: 'open-failed', id, name: e.name, message: e.message });
    }
  }
}

const ignore = (): void => undefined;
