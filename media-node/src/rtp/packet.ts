// RTP packets (RFC 3550): parse without copying (the payload is a view into the datagram), skipping
// CSRCs, the header extension and padding; malformed datagrams yield a reason, never an exception.
// Serialising the fixed 12-byte header into a preallocated buffer is the hot path for sending.

/** Fixed RTP header length without CSRCs or extension. */
export const RTP_HEADER_BYTES = 12;

/** A parsed RTP packet; `payload` is a view into the received datagram. */
export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  /** Header extension profile and data (view), when the X bit was set. */
  extension?: { profile: number; data: Uint8Array };
  /** Number of padding octets that were removed from the end. */
  paddingBytes: number;
  payload: Uint8Array;
}

/** Result of parsing a datagram: a packet, or why it is not a valid RTP packet. */
export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: string };

const fail = (reason: string): RtpParseResult => ({ ok: false, reason });

/** Parses one datagram as RTP. */
export function parseRtp(data: Uint8Array): RtpParseResult {
  if (data.length < RTP_HEADER_BYTES) return fail('shorter than the RTP header');
  const b0 = data[0] ?? 0;
  const b1 = data[1] ?? 0;
  if (b0 >> 6 !== 2) return fail('RTP version is not 2');
  if (b1 >= 200 && b1 <= 204) return fail('RTCP packet on the RTP port');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + csrcCount * 4;
  if (offset > data.length) return fail('CSRC list runs past the end');
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(view.getUint32(RTP_HEADER_BYTES + i * 4));
  let extension: RtpPacket['extension'];
  if (b0 & 0x10) {
    if (offset + 4 > data.length) return fail('header extension runs past the end');
    const profile = view.getUint16(offset);
    const words = view.getUint16(offset + 2);
    const start = offset + 4;
    offset = start + words * 4;
    if (offset > data.length) return fail('header extension runs past the end');
    extension = { profile, data: data.subarray(start, offset) };
  }
  let end = data.length;
  let paddingBytes = 0;
  if (b0 & 0x20) {
    paddingBytes = data[data.length - 1] ?? 0;
    if (paddingBytes === 0 || paddingBytes > end - offset) return fail('invalid padding length');
    end -= paddingBytes;
  }
  const packet: RtpPacket = {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    csrcs,
    paddingBytes,
    payload: data.subarray(offset, end),
  };
  if (extension) packet.extension = extension;
  return { ok: true, packet };
}

/** Fields of the fixed header that a sender sets per packet. */
export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** Writes the fixed 12-byte header (V=2, no padding, no extension, no CSRC) into `out`. */
export function writeRtpHeader(out: Uint8Array, h: RtpHeaderFields): number {
  out[0] = 0x80;
  out[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  out[2] = (h.sequenceNumber >>> 8) & 0xff;
  out[3] = h.sequenceNumber & 0xff;
  out[4] = (h.timestamp >>> 24) & 0xff;
  out[5] = (h.timestamp >>> 16) & 0xff;
  out[6] = (h.timestamp >>> 8) & 0xff;
  out[7] = h.timestamp & 0xff;
  out[8] = (h.ssrc >>> 24) & 0xff;
  out[9] = (h.ssrc >>> 16) & 0xff;
  out[10] = (h.ssrc >>> 8) & 0xff;
  out[11] = h.ssrc & 0xff;
  return RTP_HEADER_BYTES;
}

/** Serialises a whole packet (with CSRCs, extension and padding if given) into a new buffer. */
export function serializeRtp(
  p: RtpHeaderFields & {
    payload: Uint8Array;
    csrcs?: number[];
    extension?: { profile: number; data: Uint8Array };
    paddingBytes?: number;
  },
): Uint8Array {
  const csrcs = p.csrcs ?? [];
  const extWords = p.extension ? Math.ceil(p.extension.data.length / 4) : 0;
  const extBytes = p.extension ? 4 + extWords * 4 : 0;
  const padding = p.paddingBytes ?? 0;
  const headerBytes = RTP_HEADER_BYTES + csrcs.length * 4 + extBytes;
  const out = new Uint8Array(headerBytes + p.payload.length + padding);
  const view = new DataView(out.buffer);
  writeRtpHeader(out, p);
  out[0] = 0x80 | (padding ? 0x20 : 0) | (p.extension ? 0x10 : 0) | (csrcs.length & 0x0f);
  csrcs.forEach((c, i) => view.setUint32(RTP_HEADER_BYTES + i * 4, c >>> 0));
  if (p.extension) {
    const at = RTP_HEADER_BYTES + csrcs.length * 4;
    view.setUint16(at, p.extension.profile);
    view.setUint16(at + 2, extWords);
    out.set(p.extension.data, at + 4);
  }
  out.set(p.payload, headerBytes);
  if (padding) out[out.length - 1] = padding;
  return out;
}
