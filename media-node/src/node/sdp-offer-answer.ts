/**
 * SDP offer/answer for one audio stream (RFC 3264), as the node needs it: pick the first offered
 * codec we support (in the offer's order), telephone-event when offered, the far end's RTP
 * address, and the direction we answer with (hold: their sendonly/inactive -> our recvonly/inactive).
 */
import { parse, write, type SessionDescription } from 'sdp-transform';
import { codecByName, withPayloadType, type Codec } from '../rtp/codec.js';
import type { MediaDirection } from './call-ports.js';

export interface LocalMedia {
  host: string;
  port: number;
  /** Codec names we accept, in our order of preference (config `codecs`). */
  codecs: readonly string[];
  sessionId: number;
  version: number;
}

export interface Negotiated {
  codec: Codec;
  telephoneEventPayloadType: number | undefined;
  remote: { address: string; port: number };
  /** Our direction. */
  direction: MediaDirection;
}

const STATIC: Record<number, string> = { 0: 'PCMU', 8: 'PCMA', 9: 'G722' };

const ANSWER_DIRECTION: Record<MediaDirection, MediaDirection> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

type Media = SessionDescription['media'][number];

function codecOf(media: Media, pt: number): string | undefined {
  const rtp = media.rtp.find((r) => r.payload === pt);
  return rtp?.codec ?? STATIC[pt];
}

/** Reads the audio stream of `sdp`: codecs, telephone-event, address, direction. */
export function readAudio(sdp: string, accept: readonly string[]): Negotiated | undefined {
  let session: SessionDescription;
  try {
    session = parse(sdp);
  } catch {
    return undefined;
  }
  const media = session.media.find((m) => m.type === 'audio' && m.port > 0);
  if (!media) return undefined;
  const pts = String(media.payloads ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  let codec: Codec | undefined;
  for (const pt of pts) {
    const name = codecOf(media, pt);
    if (name === undefined || !accept.some((a) => a.toUpperCase() === name.toUpperCase())) continue;
    const known = codecByName(name.toUpperCase());
    if (known) {
      codec = known.payloadType === pt ? known : withPayloadType(known, pt);
      break;
    }
  }
  if (!codec) return undefined;
  const te = pts.find((pt) => codecOf(media, pt)?.toLowerCase() === 'telephone-event');
  const address = media.connection?.ip ?? session.connection?.ip ?? '';
  const offered = media.direction ?? session.direction ?? 'sendrecv';
  const held = address === '0.0.0.0';
  return {
    codec,
    telephoneEventPayloadType: te,
    remote: { address, port: media.port },
    direction: held ? 'inactive' : offered,
  };
}

/** Writes our SDP for `codec` (+ telephone-event) with `direction`. */
export function writeSdp(
  local: LocalMedia,
  codecs: readonly Codec[],
  te: number | undefined,
  direction: MediaDirection,
): string {
  const payloads = [...codecs.map((c) => c.payloadType), ...(te === undefined ? [] : [te])];
  const media: Media = {
    type: 'audio',
    port: local.port,
    protocol: 'RTP/AVP',
    payloads: payloads.join(' '),
    rtp: [
      ...codecs.map((c) => ({ payload: c.payloadType, codec: c.name, rate: c.clockRate })),
      ...(te === undefined ? [] : [{ payload: te, codec: 'telephone-event', rate: 8000 }]),
    ],
    fmtp: te === undefined ? [] : [{ payload: te, config: '0-16' }],
    ptime: 20,
    direction,
  };
  return write({
    version: 0,
    origin: {
      username: 'voicefleet',
      sessionId: local.sessionId,
      sessionVersion: local.version,
      netType: 'IN',
      ipVer: 4,
      address: local.host,
    },
    name: '-',
    connection: { version: 4, ip: local.host },
    timing: { start: 0, stop: 0 },
    media: [media],
  });
}

/** Answers `offer`: the negotiated stream and our SDP, or undefined (-> 488). */
export function answerOffer(
  offer: string,
  local: LocalMedia,
): { negotiated: Negotiated; answerSdp: string } | undefined {
  const negotiated = readAudio(offer, local.codecs);
  if (!negotiated) return undefined;
  const direction = ANSWER_DIRECTION[negotiated.direction];
  const answerSdp = writeSdp(
    local,
    [negotiated.codec],
    negotiated.telephoneEventPayloadType,
    direction,
  );
  return { negotiated: { ...negotiated, direction }, answerSdp };
}

/** Our offer for an outbound call: every configured codec, telephone-event 101. */
export function createOffer(local: LocalMedia): string {
  const codecs = local.codecs.map((n) => codecByName(n)).filter((c): c is Codec => c !== undefined);
  return writeSdp(local, codecs, 101, 'sendrecv');
}
