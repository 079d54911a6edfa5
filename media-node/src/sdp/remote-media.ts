// Reading an audio m-line from the far end's SDP: where to send (c= at media or session level,
// a=rtcp), what the far end does (direction, with the old c=0.0.0.0 hold) and which of our codecs
// and telephone-event payload type it carries. Pure functions over sdp-transform's parse result.

import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { codecByName, withPayloadType, type Codec } from '../rtp/codec.js';
import type { MediaDirection, RemoteAddress } from '../rtp/session.js';

/** Static payload types that may appear without an a=rtpmap line. */
const STATIC_NAMES: Record<number, string> = { 0: 'PCMU', 8: 'PCMA', 9: 'G722' };

/** One payload of an m-line with its encoding name and clock rate. */
export interface OfferedPayload {
  payloadType: number;
  name: string;
  rate: number;
}

/** Payload types of an m-line in the order listed, with their rtpmap (or static) names. */
export function payloadsOf(m: MediaDescription): OfferedPayload[] {
  const listed = String(m.payloads ?? '')
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  return listed.flatMap((pt) => {
    const map = m.rtp.find((r) => r.payload === pt);
    if (map) return [{ payloadType: pt, name: map.codec, rate: map.rate ?? 8000 }];
    const name = STATIC_NAMES[pt];
    return name ? [{ payloadType: pt, name, rate: 8000 }] : [];
  });
}

/** The first codec of `preference` (our order) that the m-line offers, with its payload type. */
export function pickCodec(
  offered: OfferedPayload[],
  preference: readonly string[],
): Codec | undefined {
  for (const name of preference) {
    const codec = codecByName(name);
    if (!codec) continue;
    const match = offered.find(
      (p) => p.name.toLowerCase() === codec.name.toLowerCase() && p.rate === codec.clockRate,
    );
    if (match) return withPayloadType(codec, match.payloadType);
  }
  return undefined;
}

/** The telephone-event/8000 payload type offered, if any. */
export function telephoneEventOf(offered: OfferedPayload[]): number | undefined {
  return offered.find((p) => p.name.toLowerCase() === 'telephone-event' && p.rate === 8000)
    ?.payloadType;
}

/** The far end's RTP address for this m-line, or undefined without a usable c= line. */
export function remoteAddressOf(
  sdp: SessionDescription,
  m: MediaDescription,
): RemoteAddress | undefined {
  const ip = m.connection?.ip ?? sdp.connection?.ip;
  if (!ip) return undefined;
  const address = ip.split('/')[0] ?? ip; // strip a multicast TTL suffix
  const remote: RemoteAddress = { address, port: m.port };
  if (m.rtcp?.port) remote.rtcpPort = m.rtcp.port;
  return remote;
}

/** The far end's direction; c=0.0.0.0 (RFC 2543 hold) means it does not want to receive. */
export function remoteDirectionOf(sdp: SessionDescription, m: MediaDescription): MediaDirection {
  const declared = m.direction ?? sdp.direction ?? 'sendrecv';
  const ip = m.connection?.ip ?? sdp.connection?.ip;
  if (ip === '0.0.0.0') {
    if (declared === 'sendrecv') return 'sendonly';
    if (declared === 'recvonly') return 'inactive';
  }
  return declared;
}

/** Our direction in answer to the far end's (RFC 3264 section 6.1), capped by what we want. */
export function answerDirection(
  remote: MediaDirection,
  wanted: MediaDirection = 'sendrecv',
): MediaDirection {
  const mirrored: MediaDirection =
    remote === 'sendonly' ? 'recvonly' : remote === 'recvonly' ? 'sendonly' : remote;
  const send = canSend(mirrored) && canSend(wanted);
  const recv = canReceive(mirrored) && canReceive(wanted);
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}

function canSend(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}
function canReceive(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}
