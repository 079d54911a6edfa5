// RTP packets (RFC 3550): parse without copying (the payload is a view into the datagram), skipping
// CSRCs, the header extension and padding; malformed datagrams yield a reason, never an exception.
// The receive path reads headers into one object per session (readRtpHeader): nothing per packet.
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

/**
 * The fields the receive path reads, written into an object the caller keeps (one per session),
 * so that parsing a packet allocates nothing. The payload is `data[payloadStart, payloadEnd)`.
 */
export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcCount: number;
  /** Offset of the header extension's profile word, or -1 without the X bit. */
  extensionStart: number;
  paddingBytes: number;
  payloadStart: number;
  payloadEnd: number;
}

/** A blank header for `readRtpHeader` to fill. */
export function rtpHeader(): RtpHeader {
  return {
    marker: false,
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: 0,
    csrcCount: 0,
    extensionStart: -1,
    paddingBytes: 0,
    payloadStart: 0,
    payloadEnd: 0,
  };
}

const u16 = (d: Uint8Array, at: number): number => ((d[at] ?? 0) << 8) | (d[at + 1] ?? 0);
const u32 = (d: Uint8Array, at: number): number => (u16(d, at) * 0x10000 + u16(d, at + 2)) >>> 0;

/**
 * Parses one datagram's RTP header into `out`; returns why it is not valid RTP, or undefined.
 * `out` is only meaningful when the result is undefined.
 */
export function readRtpHeader(data: Uint8Array, out: RtpHeader): string | undefined {
  if (data.length < RTP_HEADER_BYTES) return 'shorter than the RTP header';
  const b0 = data[0] ?? 0;
  const b1 = data[1] ?? 0;
  if (b0 >> 6 !== 2) return 'RTP version is not 2';
  if (b1 >= 200 && b1 <= 204) return 'RTCP packet on the RTP port';
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + csrcCount * 4;
  if (offset > data.length) return 'CSRC list runs past the end';
  let extensionStart = -1;
  if (b0 & 0x10) {
    if (offset + 4 > data.length) return 'header extension runs past the end';
    extensionStart = offset;
    offset += 4 + u16(data, offset + 2) * 4;
    if (offset > data.length) return 'header extension runs past the end';
  }
  let end = data.length;
  let paddingBytes = 0;
  if (b0 & 0x20) {
    paddingBytes = data[data.length - 1] ?? 0;
    if (paddingBytes === 0 || paddingBytes > end - offset) return 'invalid padding length';
    end -= paddingBytes;
  }
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequenceNumber = u16(data, 2);
  out.timestamp = u32(data, 4);
  out.ssrc = u32(data, 8);
  out.csrcCount = csrcCount;
  out.extensionStart = extensionStart;
  out.paddingBytes = paddingBytes;
  out.payloadStart = offset;
  out.payloadEnd = end;
  return undefined;
}

/** Parses one datagram as RTP into a packet of its own (CSRCs and extension included). */
export function parseRtp(data: Uint8Array): RtpParseResult {
  const h = rtpHeader();
  const reason = readRtpHeader(data, h);
  if (reason !== undefined) return { ok: false, reason };
  const csrcs: number[] = [];
  for (let i = 0; i < h.csrcCount; i++) csrcs.push(u32(data, RTP_HEADER_BYTES + i * 4));
  const packet: RtpPacket = {
    marker: h.marker,
    payloadType: h.payloadType,
    sequenceNumber: h.sequenceNumber,
    timestamp: h.timestamp,
    ssrc: h.ssrc,
    csrcs,
    paddingBytes: h.paddingBytes,
    payload: data.subarray(h.payloadStart, h.payloadEnd),
  };
  if (h.extensionStart >= 0) {
    const start = h.extensionStart + 4;
    packet.extension = {
      profile: u16(data, h.extensionStart),
      data: data.subarray(start, start + u16(data, h.extensionStart + 2) * 4),
    };
  }
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
