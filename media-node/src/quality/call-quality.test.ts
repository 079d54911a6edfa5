import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callQuality, type RtpCounters } from './call-quality.js';
import { mosFromR, rFactor } from './e-model.js';

describe('callQuality', () => {
  // name, counters, jitter and loss reported, one-way delay the E-model is given
  const cases: [string, RtpCounters, number, number, number][] = [
    [
      'rates a clean call with no RTCP from the far end on our own delays only (20 ms frame, 40 ms buffer)',
      { packetsReceived: 1500, packetsLost: 0, jitterMs: 1.234 },
      1.23,
      0,
      60,
    ],
    [
      'adds half the RTCP round trip to the delay',
      { packetsReceived: 1500, packetsLost: 0, jitterMs: 2, rttMs: 300 },
      2,
      0,
      210,
    ],
    [
      'counts loss against what the far end sent',
      { packetsReceived: 990, packetsLost: 10, jitterMs: 5 },
      5,
      0.01,
      60,
    ],
  ];
  for (const [name, rtp, jitterMs, lossRatio, delay] of cases)
    it(name, () => {
      const q = callQuality(rtp);
      assert.ok(q);
      assert.equal(q.jitterMs, jitterMs);
      assert.equal(q.lossRatio, lossRatio);
      assert.equal(q.oneWayDelayMs, delay);
      assert.equal(q.rttMs, rtp.rttMs);
      const r = rFactor({ oneWayDelayMs: delay, packetLossPercent: lossRatio * 100, bpl: 4.3 });
      assert.equal(q.rFactor, Math.round(r * 10) / 10);
      assert.equal(q.mos, Math.round(mosFromR(r) * 100) / 100);
    });

  it('rates a lossy, far call below a clean near one', () => {
    const clean = callQuality({ packetsReceived: 1000, packetsLost: 0, jitterMs: 1, rttMs: 20 })!;
    const poor = callQuality({ packetsReceived: 950, packetsLost: 50, jitterMs: 30, rttMs: 400 })!;
    assert.ok(clean.mos > 4.3, String(clean.mos));
    assert.ok(poor.mos < 2.5, String(poor.mos));
  });

  it('has nothing to rate when no RTP came in', () => {
    assert.equal(callQuality({ packetsReceived: 0, packetsLost: 0, jitterMs: 0 }), undefined);
  });
});
