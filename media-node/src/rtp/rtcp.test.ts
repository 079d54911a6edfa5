import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, parseRtcp } from './rtcp.js';

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
