// RTCP basics (RFC 3550 section 6): compound sender/receiver reports with an SDES CNAME, sent on
// the RTP port + 1, and a parser that reads the sender-report times needed for LSR/DLSR. No
// feedback messages, no RTCP-mux.

/** One reception report block about a source we receive. */
export interface ReportBlock {
  ssrc: number;
  fractionLost: number; // 0-255 (lost/expected in the last interval x 256)
  cumulativeLost: number;
  highestSeq: number; // extended
  jitter: number; // timestamp units
  lastSr: number; // middle 32 bits of the last SR's NTP time, 0 if none
  delaySinceLastSr: number; // 1/65536 s units
}

/** What we report in one interval. */
export interface ReportInput {
  ssrc: number;
  cname: string;
  /** Present when we sent RTP since the last report: makes it a sender report. */
  sender?: { ntpMs: number; rtpTimestamp: number; packets: number; octets: number };
  blocks: ReportBlock[];
}

const NTP_EPOCH_OFFSET_S = 2208988800;

function ntpParts(unixMs: number): [number, number] {
  const seconds = Math.floor(unixMs / 1000) + NTP_EPOCH_OFFSET_S;
  const fraction = Math.floor(((unixMs % 1000) / 1000) * 0x100000000);
  return [seconds >>> 0, fraction >>> 0];
}

/** The middle 32 bits of the NTP time of `unixMs`: the format of LSR and of RTT arithmetic. */
export function ntpMiddle(unixMs: number): number {
  const [seconds, fraction] = ntpParts(unixMs);
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/**
 * Round-trip time (RFC 3550 6.4.1) from a report block about our stream that arrived at
 * `arrivalNtpMiddle`: A - LSR - DLSR, in ms; undefined when the far end has no SR of ours yet.
 */
export function roundTripMs(block: ReportBlock, arrivalNtpMiddle: number): number | undefined {
  if (block.lastSr === 0) return undefined;
  const units = (arrivalNtpMiddle - block.lastSr - block.delaySinceLastSr) >>> 0;
  // A negative difference wraps to a huge value: a clock step or a bogus block.
  if (units > 0x7fffffff) return undefined;
  return (units * 1000) / 65536;
}

/** Builds a compound RTCP packet: SR or RR, then SDES with the CNAME. */
export function buildReport(input: ReportInput): Uint8Array {
  const blocks = input.blocks.slice(0, 31);
  const reportBytes = 8 + (input.sender ? 20 : 0) + blocks.length * 24;
  const cname = new TextEncoder().encode(input.cname).subarray(0, 255);
  const sdesBytes = Math.ceil((8 + 2 + cname.length + 1) / 4) * 4;
  const out = new Uint8Array(reportBytes + sdesBytes);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x80 | blocks.length);
  v.setUint8(1, input.sender ? 200 : 201);
  v.setUint16(2, reportBytes / 4 - 1);
  v.setUint32(4, input.ssrc >>> 0);
  let at = 8;
  if (input.sender) {
    const [sec, frac] = ntpParts(input.sender.ntpMs);
    v.setUint32(8, sec);
    v.setUint32(12, frac);
    v.setUint32(16, input.sender.rtpTimestamp >>> 0);
    v.setUint32(20, input.sender.packets >>> 0);
    v.setUint32(24, input.sender.octets >>> 0);
    at = 28;
  }
  for (const b of blocks) {
    v.setUint32(at, b.ssrc >>> 0);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, b.cumulativeLost)) & 0xffffff;
    v.setUint32(at + 4, ((b.fractionLost & 0xff) << 24) | lost);
    v.setUint32(at + 8, b.highestSeq >>> 0);
    v.setUint32(at + 12, Math.round(b.jitter) >>> 0);
    v.setUint32(at + 16, b.lastSr >>> 0);
    v.setUint32(at + 20, b.delaySinceLastSr >>> 0);
    at += 24;
  }
  v.setUint8(at, 0x81);
  v.setUint8(at + 1, 202);
  v.setUint16(at + 2, sdesBytes / 4 - 1);
  v.setUint32(at + 4, input.ssrc >>> 0);
  v.setUint8(at + 8, 1); // CNAME
  v.setUint8(at + 9, cname.length);
  out.set(cname, at + 10);
  return out; // the rest is zero: END item and padding
}

/** What a received compound RTCP packet says, as far as the session uses it. */
export interface RtcpSummary {
  senderSsrc?: number;
  /** Middle 32 bits of the sender report's NTP time (for LSR). */
  srNtpMiddle?: number;
  blocks: ReportBlock[];
  bye: boolean;
}

/** Parses a compound RTCP packet; undefined when malformed. */
export function parseRtcp(data: Uint8Array): RtcpSummary | undefined {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const summary: RtcpSummary = { blocks: [], bye: false };
  let at = 0;
  while (at + 4 <= data.length) {
    const b0 = v.getUint8(at);
    if (b0 >> 6 !== 2) return undefined;
    const type = v.getUint8(at + 1);
    const end = at + (v.getUint16(at + 2) + 1) * 4;
    if (end > data.length) return undefined;
    if ((type === 200 || type === 201) && at + 8 <= end) {
      summary.senderSsrc = v.getUint32(at + 4);
      let p = at + 8;
      if (type === 200) {
        if (p + 20 > end) return undefined;
        summary.srNtpMiddle = ((v.getUint32(p) & 0xffff) << 16) | (v.getUint32(p + 4) >>> 16);
        summary.srNtpMiddle >>>= 0;
        p += 20;
      }
      for (let i = 0; i < (b0 & 0x1f) && p + 24 <= end; i++, p += 24) {
        const word = v.getUint32(p + 4);
        summary.blocks.push({
          ssrc: v.getUint32(p),
          fractionLost: word >>> 24,
          cumulativeLost: (word << 8) >> 8,
          highestSeq: v.getUint32(p + 8),
          jitter: v.getUint32(p + 12),
          lastSr: v.getUint32(p + 16),
          delaySinceLastSr: v.getUint32(p + 20),
        });
      }
    } else if (type === 203) {
      summary.bye = true;
    }
    at = end;
  }
  return at === data.length && at > 0 ? summary : undefined;
}
