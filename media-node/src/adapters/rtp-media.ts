/**
 * Adapter: per-call RTP sessions (`rtp/`) on the process's RTP thread, with SDP
 * offer/answer from `sdp/`, as the node's MediaFactory. Re-INVITEs renegotiate direction
 * (hold/resume), codec and telephone-event, and follow a moved far end; every answer we send in a
 * dialog bumps the o= version.
 */
import { codecByName, type Codec } from '../rtp/codec.js';
import {
  ThreadRtpSession,
  type AnsweredOnArrivalMedia,
  type RtpThread,
  type ThreadSessionOptions,
} from '../rtp-thread/index.js';
import type { RemoteAddress } from '../rtp/session.js';
import {
  LocalDescription,
  TELEPHONE_EVENT_PT,
  negotiateOffer,
  type NegotiatedMedia as NegotiatedSdpMedia,
} from '../sdp/index.js';
import type {
  MediaFactory,
  MediaPort,
  NegotiatedMedia,
  ReinviteAnswer,
} from '../core/call-ports.js';

export interface RtpMediaOptions {
  /** The process's RTP thread: every call's session runs there. */
  rtp: RtpThread;
  /** Address RTP sockets bind. */
  bindHost: string;
  /** Address written into SDP. */
  advertisedHost: string;
  portRange: { min: number; max: number };
  codecs: readonly string[];
  mediaTimeoutMs: number;
  /** Onset frames for barge-in on the RTP thread (TurnDetection.bargeInOnsetFrames), if any. */
  bargeInOnsetFrames?: number;
}

/** The codec and telephone-event payload type an RtpSession runs with. */
interface Encoding {
  codec: Codec;
  te: number | undefined;
}

function mediaPort(session: ThreadRtpSession): MediaPort {
  return {
    sink: session,
    onAudio: (l) => session.on('audio', (frame, _kind, atMs, speech) => l(frame, atMs, speech)),
    onDtmf: (l) => session.on('dtmf', (digit) => l(digit)),
    setDirection: (d) => session.setDirection(d),
    onTimeout: (l) => session.on('timeout', l),
    queuedFrames: () => session.queuedFrames,
    stats: () => {
      const s = session.stats();
      return {
        packetsSent: s.packetsSent,
        packetsReceived: s.packetsReceived,
        packetsLost: s.lost,
        jitterMs: s.jitterMs,
        ...(s.rttMs === undefined ? {} : { rttMs: s.rttMs }),
      };
    },
    close: () => session.close(),
  };
}

function sameEncoding(a: Encoding, b: Encoding): boolean {
  return (
    a.codec.name === b.codec.name && a.codec.payloadType === b.codec.payloadType && a.te === b.te
  );
}

function follow(session: ThreadRtpSession, remote: RemoteAddress | undefined): void {
  // c=0.0.0.0 (hold) carries no address: keep the one we have for the resume
  if (remote === undefined) return;
  const current = session.remoteAddress;
  if (current?.address !== remote.address || current.port !== remote.port)
    session.setRemote(remote);
}

function negotiated(
  session: ThreadRtpSession,
  local: LocalDescription,
  ourSdp: string,
  encoding: Encoding,
  port: MediaPort = mediaPort(session),
): NegotiatedMedia {
  let current = encoding;
  /** Follows what an offer/answer decided: codec, telephone-event, far end. */
  const apply = (media: NegotiatedSdpMedia): void => {
    const next = { codec: media.codec, te: media.telephoneEventPayloadType };
    if (!sameEncoding(current, next)) {
      session.setCodec(next.codec, next.te);
      current = next;
    }
    follow(session, media.remote);
  };
  return {
    answerSdp: ourSdp,
    media: port,
    reinviteAnswer: (offer): ReinviteAnswer => {
      const result = local.answer(offer);
      if (!result.ok) return { status: 488 };
      apply(result.media);
      return { sdp: result.answer, direction: result.media.direction };
    },
    reoffer: () => {
      const offerSdp = local.offer();
      return {
        offerSdp,
        complete: (answerSdp): ReinviteAnswer => {
          const answer = answerSdp === undefined ? undefined : local.readAnswer(answerSdp);
          if (!answer?.ok) return { status: 488 };
          apply(answer.media);
          return { sdp: offerSdp, direction: answer.media.direction };
        },
      };
    },
  };
}

/** Every call's session options but the negotiated ones (also for calls answered on arrival). */
export function callSessionOptions(
  o: Pick<RtpMediaOptions, 'mediaTimeoutMs' | 'bargeInOnsetFrames'>,
): Pick<ThreadSessionOptions, 'mediaTimeoutMs' | 'jitter' | 'bargeInOnsetFrames'> {
  return {
    mediaTimeoutMs: o.mediaTimeoutMs,
    // The listener is the agent, not an ear: it needs frames in order more than smooth playout,
    // so the buffer may be one frame deep when the stream has no measurable jitter, and deepens
    // with the jitter it measures.
    jitter: { minDelayFrames: 1 },
    ...(o.bargeInOnsetFrames === undefined ? {} : { bargeInOnsetFrames: o.bargeInOnsetFrames }),
  };
}

export function createRtpMediaFactory(o: RtpMediaOptions): MediaFactory {
  const open = (encoding: Encoding, remote?: RemoteAddress) =>
    o.rtp.open({
      codec: encoding.codec,
      ...(encoding.te === undefined ? {} : { telephoneEventPayloadType: encoding.te }),
      host: o.bindHost,
      portRange: o.portRange,
      ...(remote ? { remote } : {}),
      ...callSessionOptions(o),
    });
  // Calls are answered on pairs bound ahead: the answer waits for nothing the RTP thread does.
  o.rtp.keepSpares(o.bindHost, o.portRange);
  const localFor = (port: number) =>
    new LocalDescription({ address: o.advertisedHost, port, codecs: o.codecs });
  return {
    answer: async (offerSdp) => {
      // negotiate before opening a socket: the port is the only thing the answer adds
      const decided = negotiateOffer(offerSdp, { codecs: o.codecs });
      if (!decided.ok) return { status: 488 };
      const { media } = decided.negotiation;
      const encoding = { codec: media.codec, te: media.telephoneEventPayloadType };
      const session = await open(encoding, media.remote);
      const local = localFor(session.localPort);
      session.setDirection(media.direction);
      return negotiated(session, local, local.answerNegotiated(decided.negotiation), encoding);
    },
    takeOver: (answered, offerSdp) => {
      if (typeof answered !== 'object' || answered === null) return undefined;
      const { session, sdpSessionId } = answered as Partial<AnsweredOnArrivalMedia>;
      if (!(session instanceof ThreadRtpSession) || sdpSessionId === undefined) return undefined;
      // The thread negotiated with the same codecs; doing it again here gives the dialog the state
      // its later answers build on (encoding, o= session id and version).
      const decided = negotiateOffer(offerSdp, { codecs: o.codecs });
      if (!decided.ok) return undefined;
      const { media } = decided.negotiation;
      const local = new LocalDescription(
        { address: o.advertisedHost, port: session.localPort, codecs: o.codecs },
        sdpSessionId,
      );
      const answerSdp = local.answerNegotiated(decided.negotiation);
      const encoding = { codec: media.codec, te: media.telephoneEventPayloadType };
      return negotiated(session, local, answerSdp, encoding);
    },
    offer: async () => {
      const codec = o.codecs.map((name) => codecByName(name)).find((c) => c !== undefined);
      if (!codec) throw new Error('no supported codec configured');
      const session = await open({ codec, te: TELEPHONE_EVENT_PT });
      const local = localFor(session.localPort);
      const offerSdp = local.offer();
      const port = mediaPort(session);
      return {
        offerSdp,
        media: port,
        complete: (answerSdp) => {
          const answer = local.readAnswer(answerSdp);
          if (!answer.ok) return { status: 488 };
          const { codec: chosen, telephoneEventPayloadType: te, remote, direction } = answer.media;
          session.setCodec(chosen, te);
          follow(session, remote);
          session.setDirection(direction);
          return negotiated(session, local, offerSdp, { codec: chosen, te }, port);
        },
        abort: () => session.close(),
      };
    },
  };
}
