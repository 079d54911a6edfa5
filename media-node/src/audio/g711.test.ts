import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alawDecodeSample,
  alawEncodeSample,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  mulawDecodeSample,
  mulawEncodeSample,
} from './g711.js';

// Verbatim port of the ITU-T G.191 Software Tool Library g711.c (alaw_compress, alaw_expand,
// ulaw_compress, ulaw_expand), sample by sample, used as the reference.
function ituAlawCompress(lin: number): number {
  let ix = lin < 0 ? ~lin >> 4 : lin >> 4;
  if (ix > 15) {
    let iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      iexp++;
    }
    ix -= 16;
    ix += iexp << 4;
  }
  if (lin >= 0) ix |= 0x0080;
  return ix ^ 0x0055;
}
function ituAlawExpand(log: number): number {
  let ix = log ^ 0x0055;
  ix &= 0x007f;
  const iexp = ix >> 4;
  let mant = ix & 0x000f;
  if (iexp > 0) mant = mant + 16;
  mant = (mant << 4) + 0x0008;
  if (iexp > 1) mant = mant << (iexp - 1);
  return log > 127 ? mant : -mant;
}
function ituUlawCompress(lin: number): number {
  let absno = lin < 0 ? (~lin >> 2) + 33 : (lin >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const high = 0x0008 - segno;
  const low = 0x000f - ((absno >> segno) & 0x000f);
  let log = (high << 4) | low;
  if (lin >= 0) log |= 0x0080;
  return log;
}
function ituUlawExpand(log: number): number {
  const sign = log < 0x0080 ? -1 : 1;
  let mantissa = ~log;
  const exponent = (mantissa >> 4) & 0x0007;
  const segment = exponent + 1;
  mantissa = mantissa & 0x000f;
  const step = 4 << segment;
  // `| 0` turns the reference's negative zero (code 0x7f) into the integer 0 a short holds.
  return (sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33)) | 0;
}

describe('G.711', () => {
  it('encodes every 16-bit sample to the same µ-law code as the ITU reference', () => {
    let mismatches = 0;
    for (let s = -32768; s <= 32767; s++)
      if (mulawEncodeSample(s) !== ituUlawCompress(s)) mismatches++;
    assert.equal(mismatches, 0);
  });

  it('encodes every 16-bit sample to the same A-law code as the ITU reference', () => {
    let mismatches = 0;
    for (let s = -32768; s <= 32767; s++)
      if (alawEncodeSample(s) !== ituAlawCompress(s)) mismatches++;
    assert.equal(mismatches, 0);
  });

  it('decodes every code like the ITU reference', () => {
    for (let c = 0; c < 256; c++) {
      assert.equal(mulawDecodeSample(c), ituUlawExpand(c), `µ-law code ${c}`);
      assert.equal(alawDecodeSample(c), ituAlawExpand(c), `A-law code ${c}`);
    }
  });

  it('maps silence to the conventional codes and round-trips full scale', () => {
    assert.equal(mulawEncodeSample(0), 0xff);
    assert.equal(alawEncodeSample(0), 0xd5);
    assert.equal(mulawDecodeSample(mulawEncodeSample(32767)), 32124);
    assert.equal(alawDecodeSample(alawEncodeSample(-32768)), -32256);
  });

  it('encodes and decodes whole frames into caller buffers', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));
    for (const [encode, decode] of [
      [encodeMulaw, decodeMulaw],
      [encodeAlaw, decodeAlaw],
    ] as const) {
      const bytes = new Uint8Array(160);
      const back = new Int16Array(160);
      assert.equal(encode(pcm, bytes), 160);
      assert.equal(decode(bytes, back), 160);
      for (let i = 0; i < 160; i++) {
        // G.711 quantisation error is below 1/16 of the magnitude plus the smallest step.
        assert.ok(Math.abs(back[i]! - pcm[i]!) <= Math.abs(pcm[i]!) / 16 + 16, `sample ${i}`);
      }
    }
  });
});
