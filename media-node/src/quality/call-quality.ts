// A call's quality as the caller heard it, from the RTP session's counters at the end of the call:
// interarrival jitter, the share of packets lost, the RTCP round-trip time when the far end sends
// receiver reports, and an E-model (G.107) MOS estimate from the one-way delay and the loss.
import { mosFromR, rFactor } from './e-model.js';

export interface CallQuality {
  /** RFC 3550 interarrival jitter at the end of the call, ms. */
  jitterMs: number;
  /** Lost / expected packets from the far end, 0 to 1. */
  lossRatio: number;
  /** RTCP round-trip time, ms; absent when the far end sent no report on our stream. */
  rttMs?: number;
  /** Estimated one-way delay the MOS is computed for: half the RTT plus our own delays, ms. */
  oneWayDelayMs: number;
  /** G.107 transmission rating. */
  rFactor: number;
  /** G.107 Annex B estimate of the conversational MOS, 1 to 4.5. */
  mos: number;
}

export interface RtpCounters {
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  rttMs?: number;
}

/** 20 ms packets: a frame waits 20 ms to fill before it leaves. */
const PACKETIZATION_MS = 20;
/** The jitter buffer holds at least 2 frames before playout (rtp/jitter-buffer.ts). */
const JITTER_BUFFER_MS = 40;
/**
 * G.113 Appendix I: G.711 without the Appendix I concealment (ours repeats the last frame at falling
 * volume, which is less): Bpl 4.3, Ie 0 — the conservative choice.
 */
const G711 = { ie: 0, bpl: 4.3 };

/** Undefined when no RTP arrived from the far end (nothing to rate). */
export function callQuality(rtp: RtpCounters): CallQuality | undefined {
  const expected = rtp.packetsReceived + rtp.packetsLost;
  if (rtp.packetsReceived === 0 || expected <= 0) return undefined;
  const lossRatio = Math.max(0, rtp.packetsLost) / expected;
  const oneWayDelayMs = (rtp.rttMs ?? 0) / 2 + PACKETIZATION_MS + JITTER_BUFFER_MS;
  const r = rFactor({ oneWayDelayMs, packetLossPercent: lossRatio * 100, ...G711 });
  const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    jitterMs: round(rtp.jitterMs, 2),
    lossRatio: round(lossRatio, 5),
    ...(rtp.rttMs === undefined ? {} : { rttMs: round(rtp.rttMs, 2) }),
    oneWayDelayMs: round(oneWayDelayMs, 1),
    rFactor: round(r, 1),
    mos: round(mosFromR(r), 2),
  };
}
