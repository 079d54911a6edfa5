import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpReporter } from './rtcp-reporter.js';
import { buildReport, ntpMiddle, parseRtcp, roundTripMs } from './rtcp.js';

const block = {
  ssrc: 0x11223344,
  fractionLost: 25,
  cumulativeLost: 7,
  highestSeq: 70000,
  jitter: 12,
  lastSr: 0xabcd1234,
  delaySinceLastSr: 65536,
};

void describe('RTCP', () => {
  void it('builds a sender report with a CNAME that parses back', () => {
    const data = buildReport({
      ssrc: 42,
      cname: 'call-1@media',
      sender: { ntpMs: Date.UTC(2026, 0, 1), rtpTimestamp: 1600, packets: 10, octets: 1600 },
      blocks: [block],
    });
    assert.equal(data.length % 4, 0);
    assert.equal(data[1], 200);
    const summary = parseRtcp(data);
    assert.ok(summary);
    assert.equal(summary.senderSsrc, 42);
    assert.equal(typeof summary.srNtpMiddle, 'number');
    assert.deepEqual(summary.blocks, [block]);
    assert.ok(new TextDecoder().decode(data).includes('call-1@media'));
  });

  void it('builds a receiver report when nothing was sent', () => {
    const data = buildReport({ ssrc: 42, cname: 'x', blocks: [{ ...block, cumulativeLost: -3 }] });
    assert.equal(data[1], 201);
    assert.equal(parseRtcp(data)?.blocks[0]?.cumulativeLost, -3);
    assert.equal(parseRtcp(data)?.srNtpMiddle, undefined);
  });

  void it('rejects truncated or foreign data', () => {
    const data = buildReport({ ssrc: 1, cname: 'x', blocks: [block] });
    assert.equal(parseRtcp(data.subarray(0, 20)), undefined);
    assert.equal(parseRtcp(new Uint8Array(0)), undefined);
    assert.equal(parseRtcp(Uint8Array.from([0x40, 200, 0, 0])), undefined);
  });
});

void describe('round-trip time (RFC 3550 6.4.1)', () => {
  const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);
  const stats = { expected: 0, received: 0, lost: 0, highestSeq: 0, jitter: 0 } as never;

  void it('is the arrival time minus LSR minus DLSR', () => {
    const lsr = ntpMiddle(t0);
    // Our SR left at t0, the far end held it 100 ms, its report arrives at t0 + 160 ms.
    const rtt = roundTripMs({ ...block, lastSr: lsr, delaySinceLastSr: 6554 }, ntpMiddle(t0 + 160));
    assert.ok(rtt !== undefined && Math.abs(rtt - 60) < 0.1, String(rtt));
  });

  void it('is unknown without an SR of ours, or when the difference runs backwards', () => {
    assert.equal(roundTripMs({ ...block, lastSr: 0 }, ntpMiddle(t0)), undefined);
    const lsr = ntpMiddle(t0 + 1000);
    assert.equal(
      roundTripMs({ ...block, lastSr: lsr, delaySinceLastSr: 0 }, ntpMiddle(t0)),
      undefined,
    );
  });

  void it('is measured by the reporter from the far end reporting on our stream', () => {
    let wall = t0;
    const ours = new RtcpReporter(0x1234, 'us', 5000, () => wall);
    const theirs = new RtcpReporter(0x9999, 'them', 5000, () => wall);
    ours.onSent(0, 160);
    const sr = ours.build(0, 160, 0x9999, stats);
    assert.ok(Number.isNaN(ours.rttMs));
    wall += 40; // one way
    theirs.receive(sr, 40);
    wall += 25; // held by the far end
    const rr = theirs.build(65, 0, 0x1234, stats);
    wall += 40; // back
    ours.receive(rr, 105);
    assert.ok(Math.abs(ours.rttMs - 80) < 0.1, String(ours.rttMs));
  });
});
