// The E-model of ITU-T G.107 (06/2015): a transmission rating R from delay, loss and codec
// impairment, and the MOS (conversational quality, estimated) it implies. Every parameter the
// network cannot tell us (loudness ratings, noise, echo loss, sidetone) keeps G.107's default, so
// R is 93.2 (MOS 4.41) for a G.711 call with no delay and no loss. Pure arithmetic, per call.

export interface EModelInput {
  /** Mean one-way delay, ms (T, and Ta: absolute delay; the round trip Tr is twice it). */
  oneWayDelayMs: number;
  /** Packet loss, percent (Ppl). */
  packetLossPercent: number;
  /** Equipment impairment of the codec (Ie): 0 for G.711. */
  ie?: number;
  /** Packet-loss robustness of the codec with its concealment (Bpl, G.113 Appendix I). */
  bpl?: number;
  /** Burst ratio (1: random loss). */
  burstR?: number;
}

/** G.107 Table 1 defaults. */
const D = {
  SLR: 8,
  RLR: 2,
  STMR: 15,
  LSTR: 18,
  Ds: 3,
  TELR: 65,
  WEPL: 110,
  qdu: 1,
  Nc: -70,
  Nfor: -64,
  Ps: 35,
  Pr: 35,
  A: 0,
  mT: 100,
  sT: 1,
};

const log10 = Math.log10;
const pow = Math.pow;

/** Basic signal-to-noise ratio Ro, simultaneous impairment Is and the noise No of the defaults. */
function defaultsPart(): { Ro: number; Is: number; No: number } {
  const OLR = D.SLR + D.RLR;
  const Nfo = D.Nfor + D.RLR;
  const Pre = D.Pr + 10 * log10(1 + pow(10, (10 - D.LSTR) / 10));
  const Nor = D.RLR - 121 + Pre + 0.008 * pow(Pre - 35, 2);
  const Nos = D.Ps - D.SLR - D.Ds - 100 + 0.004 * pow(D.Ps - OLR - D.Ds - 14, 2);
  const No =
    10 * log10(pow(10, D.Nc / 10) + pow(10, Nos / 10) + pow(10, Nor / 10) + pow(10, Nfo / 10));
  const Ro = 15 - 1.5 * (D.SLR + No);
  const Xolr = OLR + 0.2 * (64 + No - D.RLR);
  const Iolr = 20 * (pow(1 + pow(Xolr / 8, 8), 1 / 8) - Xolr / 8);
  const Q = 37 - 15 * log10(D.qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q * Q;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Z = 46 / 30 - G / 40;
  const Iq = 15 * log10(1 + pow(10, Y) + pow(10, Z));
  return { Ro, Is: Iolr + sidetone(0) + Iq, No };
}

/** Ist, the sidetone impairment, for a mean one-way delay T (ms). */
function sidetone(T: number): number {
  const STMRo = -10 * log10(pow(10, -D.STMR / 10) + Math.exp(-T / 4) * pow(10, -D.TELR / 10));
  return (
    12 * pow(1 + pow((STMRo - 13) / 6, 8), 1 / 8) -
    28 * pow(1 + pow((STMRo + 1) / 19.4, 35), 1 / 35) -
    13 * pow(1 + pow((STMRo - 3) / 33, 13), 1 / 13) +
    29
  );
}

const BASE = defaultsPart();

/** Id: talker echo (Idte), listener echo (Idle) and absolute delay (Idd). */
function delayImpairment(T: number): number {
  const { Ro, No } = BASE;
  const Tr = 2 * T;
  const Ta = T;
  const TERV = D.TELR - 40 * log10((1 + T / 10) / (1 + T / 150)) + 6 * Math.exp(-0.3 * T * T);
  const Roe = -1.5 * (No - D.RLR);
  const Re = 80 + 2.5 * (TERV - 14);
  const Idte = ((Roe - Re) / 2 + Math.sqrt(pow(Roe - Re, 2) / 4 + 100) - 1) * (1 - Math.exp(-T));
  const Rle = 10.5 * (D.WEPL + 7) * pow(Tr + 1, -0.25);
  const Idle = (Ro - Rle) / 2 + Math.sqrt(pow(Ro - Rle, 2) / 4 + 169);
  let Idd = 0;
  if (Ta > D.mT) {
    const X = log10(Ta / D.mT) / log10(2);
    Idd =
      25 *
      (pow(1 + pow(X, 6 * D.sT), 1 / (6 * D.sT)) -
        3 * pow(1 + pow(X / 3, 6 * D.sT), 1 / (6 * D.sT)) +
        2);
  }
  return Idte + Idle + Idd;
}

/** The transmission rating R = Ro - Is - Id - Ie,eff + A. */
export function rFactor(input: EModelInput): number {
  const T = Math.max(0, input.oneWayDelayMs);
  const Ppl = Math.min(100, Math.max(0, input.packetLossPercent));
  const Ie = input.ie ?? 0;
  const Bpl = input.bpl ?? 4.3;
  const burstR = input.burstR ?? 1;
  const IeEff = Ie + ((95 - Ie) * Ppl) / (Ppl / burstR + Bpl);
  return BASE.Ro - BASE.Is - delayImpairment(T) - IeEff + D.A;
}

/** G.107 Annex B: the estimated MOS (conversational quality, 1 to 4.5) for a rating R. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}
