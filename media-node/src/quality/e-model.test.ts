import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mosFromR, rFactor } from './e-model.js';

const near = (got: number, want: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tolerance, `${what}: ${got} is not ${want} +- ${tolerance}`);

describe('rFactor (ITU-T G.107 with its default parameters)', () => {
  const cases: [string, number, number, number, number][] = [
    // name, one-way delay ms, loss %, expected R, tolerance. Besides the default (G.107 states
    // 93.2), the expected values are worked by hand from G.107's equations: Idte from TERV and
    // Re, Idle from Rle with Tr = 2T, Idd = 25((1+X^6)^(1/6) - 3(1+(X/3)^6)^(1/6) + 2).
    ["is G.107's default rating, 93.2, with no delay and no loss", 0, 0, 93.2, 0.05],
    [
      'loses 2.5 points to 100 ms of one-way delay (echo, no absolute-delay term yet)',
      100,
      0,
      90.66,
      0.05,
    ],
    ['loses about 4 points to 150 ms of one-way delay', 150, 0, 89.54, 0.05],
    ['falls fast once absolute delay counts: 300 ms', 300, 0, 72.67, 0.05],
    [
      'loses 18 points to 1% random loss without G.711 Appendix I concealment (Bpl 4.3)',
      0,
      1,
      75.3,
      0.3,
    ],
    ['drops below 50 at 5% loss', 0, 5, 42.12, 0.05],
  ];
  for (const [name, delay, loss, want, tolerance] of cases)
    it(name, () =>
      near(rFactor({ oneWayDelayMs: delay, packetLossPercent: loss }), want, tolerance, name),
    );

  it('falls as delay and loss grow', () => {
    let last = Infinity;
    for (const delay of [0, 50, 100, 150, 200, 300, 400, 600]) {
      const r = rFactor({ oneWayDelayMs: delay, packetLossPercent: 0 });
      assert.ok(r < last + 1e-9, `R at ${delay} ms`);
      last = r;
    }
    last = Infinity;
    for (const loss of [0, 0.5, 1, 2, 5, 10, 20]) {
      const r = rFactor({ oneWayDelayMs: 40, packetLossPercent: loss });
      assert.ok(r < last, `R at ${loss}% loss`);
      last = r;
    }
  });

  it('counts a codec that conceals loss better (higher Bpl) as less impaired', () => {
    const plain = rFactor({ oneWayDelayMs: 40, packetLossPercent: 2, bpl: 4.3 });
    const concealed = rFactor({ oneWayDelayMs: 40, packetLossPercent: 2, bpl: 25.1 });
    assert.ok(concealed > plain + 20);
  });
});

describe('mosFromR (G.107 Annex B)', () => {
  const cases: [number, number][] = [
    [93.2, 4.41],
    [80, 4.02],
    [70, 3.6],
    [50, 2.58],
    [0, 1],
    [-5, 1],
    [100, 4.5],
    [120, 4.5],
  ];
  for (const [r, mos] of cases)
    it(`R ${r} is MOS ${mos}`, () => near(mosFromR(r), mos, 0.01, `R ${r}`));
});
