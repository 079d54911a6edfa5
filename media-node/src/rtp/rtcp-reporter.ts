// The RTCP side of one session: when a report is due (interval randomised by +-50% as RFC 3550
// asks), what goes in it (SR when we sent since the last report, one block about the stream we
// receive with interval loss and LSR/DLSR), the sender-report times read from the far end, and
// the round-trip time from the far end's report blocks about our stream.

import type { JitterBufferStats } from './jitter-buffer.js';
import { buildReport, ntpMiddle, parseRtcp, roundTripMs } from './rtcp.js';

export class RtcpReporter {
  private nextAt: number | undefined;
  private packets = 0;
  private octets = 0;
  private sentSinceReport = false;
  private prevExpected = 0;
  private prevReceived = 0;
  private lastSr = 0;
  private lastSrAt = 0;
  /** Reports received from the far end. */
  received = 0;
  /** The last round-trip time measured, ms; NaN until the far end reports on our stream. */
  rttMs = Number.NaN;

  constructor(
    private readonly ssrc: number,
    private readonly cname: string,
    private readonly intervalMs: number,
    /** Wall clock (ms since 1970) of our SRs' NTP times and of RTT arrivals. */
    private readonly wallClock: () => number = Date.now,
  ) {}

  onSent(_timestamp: number, payloadBytes: number): void {
    this.packets++;
    this.octets += payloadBytes;
    this.sentSinceReport = true;
  }

  due(now: number): boolean {
    if (this.nextAt === undefined) this.nextAt = now + this.interval();
    return now >= this.nextAt;
  }

  build(
    now: number,
    rtpTimestamp: number,
    remoteSsrc: number | undefined,
    rx: JitterBufferStats,
  ): Uint8Array {
    this.nextAt = now + this.interval();
    const expected = rx.expected - this.prevExpected;
    const lostInterval = expected - (rx.received - this.prevReceived);
    this.prevExpected = rx.expected;
    this.prevReceived = rx.received;
    const blocks =
      remoteSsrc === undefined
        ? []
        : [
            {
              ssrc: remoteSsrc,
              fractionLost:
                expected > 0 && lostInterval > 0
                  ? Math.min(255, Math.floor((lostInterval * 256) / expected))
                  : 0,
              cumulativeLost: rx.lost,
              highestSeq: rx.highestSeq,
              jitter: rx.jitter,
              lastSr: this.lastSr,
              delaySinceLastSr: this.lastSr
                ? Math.round(((now - this.lastSrAt) / 1000) * 65536)
                : 0,
            },
          ];
    const sender = this.sentSinceReport
      ? { ntpMs: this.wallClock(), rtpTimestamp, packets: this.packets, octets: this.octets }
      : undefined;
    this.sentSinceReport = false;
    return buildReport({
      ssrc: this.ssrc,
      cname: this.cname,
      blocks,
      ...(sender ? { sender } : {}),
    });
  }

  receive(data: Uint8Array, now: number): void {
    const summary = parseRtcp(data);
    if (!summary) return;
    this.received++;
    if (summary.srNtpMiddle !== undefined) {
      this.lastSr = summary.srNtpMiddle;
      this.lastSrAt = now;
    }
    const ours = summary.blocks.find((b) => b.ssrc === this.ssrc);
    if (ours) {
      const rtt = roundTripMs(ours, ntpMiddle(this.wallClock()));
      if (rtt !== undefined) this.rttMs = rtt;
    }
  }

  private interval(): number {
    return this.intervalMs * (0.5 + Math.random());
  }
}
