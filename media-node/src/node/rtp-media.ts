/**
 * Adapter: per-call RTP sessions (`rtp/`) on the process's one pacing scheduler, with SDP
 * offer/answer, as the node's MediaFactory. Re-INVITEs renegotiate direction (hold/resume) and
 * follow a moved far end.
 */
import { randomInt } from 'node:crypto';
import { RtpSession } from '../rtp/session.js';
import type { PacingScheduler } from '../rtp/scheduler.js';
import type { MediaFactory, MediaPort, NegotiatedMedia, ReinviteAnswer } from './call-ports.js';
import { answerOffer, createOffer, readAudio, type LocalMedia } from './sdp-offer-answer.js';

export interface RtpMediaOptions {
  scheduler: PacingScheduler;
  /** Address RTP sockets bind. */
  bindHost: string;
  /** Address written into SDP. */
  advertisedHost: string;
  portRange: { min: number; max: number };
  codecs: readonly string[];
  mediaTimeoutMs: number;
}

function mediaPort(session: RtpSession): MediaPort {
  return {
    sink: session,
    onAudio: (l) => session.on('audio', (frame) => l(frame)),
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
      };
    },
    close: () => session.close(),
  };
}

function negotiated(session: RtpSession, local: LocalMedia, answerSdp: string): NegotiatedMedia {
  let version = local.version;
  return {
    answerSdp,
    media: mediaPort(session),
    reinviteAnswer: (offer): ReinviteAnswer => {
      const result = answerOffer(offer, { ...local, version: ++version });
      if (!result) return { status: 488 };
      const { remote, direction } = result.negotiated;
      const current = session.remoteAddress;
      if (
        remote.address !== '0.0.0.0' &&
        (current?.address !== remote.address || current.port !== remote.port)
      ) {
        session.setRemote(remote);
      }
      return { sdp: result.answerSdp, direction };
    },
  };
}

export function createRtpMediaFactory(o: RtpMediaOptions): MediaFactory {
  const open = (
    codec: Parameters<typeof RtpSession.open>[0]['codec'],
    te: number | undefined,
    remote?: { address: string; port: number },
  ) =>
    RtpSession.open({
      scheduler: o.scheduler,
      codec,
      ...(te === undefined ? {} : { telephoneEventPayloadType: te }),
      host: o.bindHost,
      portRange: o.portRange,
      ...(remote ? { remote } : {}),
      mediaTimeoutMs: o.mediaTimeoutMs,
    });
  const localFor = (port: number): LocalMedia => ({
    host: o.advertisedHost,
    port,
    codecs: o.codecs,
    sessionId: randomInt(1, 2 ** 31),
    version: 1,
  });
  return {
    answer: async (offerSdp) => {
      const offered = readAudio(offerSdp, o.codecs);
      if (!offered) return { status: 488 };
      const session = await open(offered.codec, offered.telephoneEventPayloadType, offered.remote);
      const local = localFor(session.localPort);
      const answer = answerOffer(offerSdp, local);
      if (!answer) {
        session.close();
        return { status: 488 };
      }
      session.setDirection(answer.negotiated.direction);
      return negotiated(session, local, answer.answerSdp);
    },
    offer: async () => {
      const first = readAudio(createOffer(localFor(9)), o.codecs);
      if (!first) throw new Error('no supported codec configured');
      const session = await open(first.codec, 101);
      const local = localFor(session.localPort);
      const offerSdp = createOffer(local);
      return {
        offerSdp,
        complete: (answerSdp) => {
          const answer = readAudio(answerSdp, o.codecs);
          if (!answer) return { status: 488 };
          session.setCodec(answer.codec, answer.telephoneEventPayloadType);
          session.setRemote(answer.remote);
          session.setDirection(
            answer.direction === 'sendonly'
              ? 'recvonly'
              : answer.direction === 'recvonly'
                ? 'sendonly'
                : answer.direction,
          );
          return negotiated(session, local, offerSdp);
        },
        abort: () => session.close(),
      };
    },
  };
}
