// G.711 µ-law (PCMU) and A-law (PCMA) by lookup tables. Encoding is one table read per sample
// (a 64 Ki-entry table indexed by the 16-bit sample), decoding one read from a 256-entry table.
// The tables are built once at load from the segment form of the ITU-T G.711 algorithm; callers
// pass preallocated buffers so no frame allocates.

const SEG_ULAW_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;
const SEG_ALAW_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

function segmentOf(value: number, ends: readonly number[]): number {
  for (let seg = 0; seg < ends.length; seg++) {
    if (value <= (ends[seg] ?? 0)) return seg;
  }
  return ends.length;
}

function mulawFromLinear(sample: number): number {
  // Negative samples use the one's complement, as in the ITU-T reference (G.191 STL).
  const magnitude = Math.min(((sample < 0 ? ~sample : sample) >> 2) + 33, 0x1fff);
  const seg = segmentOf(magnitude, SEG_ULAW_END);
  const code = (seg << 4) | ((magnitude >> (seg + 1)) & 0x0f);
  return code ^ (sample < 0 ? 0x7f : 0xff);
}

function alawFromLinear(sample: number): number {
  const magnitude = (sample < 0 ? ~sample : sample) >> 3;
  const mask = sample < 0 ? 0x55 : 0xd5;
  const seg = segmentOf(magnitude, SEG_ALAW_END);
  if (seg >= 8) return 0x7f ^ mask;
  const mantissa = seg < 2 ? (magnitude >> 1) & 0x0f : (magnitude >> seg) & 0x0f;
  return ((seg << 4) | mantissa) ^ mask;
}

function linearFromMulaw(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function linearFromAlaw(code: number): number {
  const a = code ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (seg === 0) t += 8;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode((i << 16) >> 16);
  return table;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

const ULAW_ENCODE = buildEncodeTable(mulawFromLinear);
const ALAW_ENCODE = buildEncodeTable(alawFromLinear);
const ULAW_DECODE = buildDecodeTable(linearFromMulaw);
const ALAW_DECODE = buildDecodeTable(linearFromAlaw);

/** µ-law code of one PCM16 sample. */
export function mulawEncodeSample(sample: number): number {
  return ULAW_ENCODE[sample & 0xffff] ?? 0xff;
}
/** PCM16 value of one µ-law code. */
export function mulawDecodeSample(code: number): number {
  return ULAW_DECODE[code & 0xff] ?? 0;
}
/** A-law code of one PCM16 sample. */
export function alawEncodeSample(sample: number): number {
  return ALAW_ENCODE[sample & 0xffff] ?? 0xd5;
}
/** PCM16 value of one A-law code. */
export function alawDecodeSample(code: number): number {
  return ALAW_DECODE[code & 0xff] ?? 0;
}

function encodeWith(table: Uint8Array, pcm: Int16Array, out: Uint8Array): number {
  const n = Math.min(pcm.length, out.length);
  for (let i = 0; i < n; i++) out[i] = table[(pcm[i] ?? 0) & 0xffff] ?? 0;
  return n;
}

function decodeWith(table: Int16Array, codes: Uint8Array, out: Int16Array): number {
  const n = Math.min(codes.length, out.length);
  for (let i = 0; i < n; i++) out[i] = table[codes[i] ?? 0] ?? 0;
  return n;
}

/** Encodes `pcm` into `out` as µ-law; returns the number of bytes written (min of lengths). */
export function encodeMulaw(pcm: Int16Array, out: Uint8Array): number {
  return encodeWith(ULAW_ENCODE, pcm, out);
}
/** Decodes µ-law `codes` into `out`; returns the number of samples written. */
export function decodeMulaw(codes: Uint8Array, out: Int16Array): number {
  return decodeWith(ULAW_DECODE, codes, out);
}
/** Encodes `pcm` into `out` as A-law; returns the number of bytes written. */
export function encodeAlaw(pcm: Int16Array, out: Uint8Array): number {
  return encodeWith(ALAW_ENCODE, pcm, out);
}
/** Decodes A-law `codes` into `out`; returns the number of samples written. */
export function decodeAlaw(codes: Uint8Array, out: Int16Array): number {
  return decodeWith(ALAW_DECODE, codes, out);
}

/** The µ-law code of digital silence (0). */
export const MULAW_SILENCE = 0xff;
/** The A-law code of digital silence (0). */
export const ALAW_SILENCE = 0xd5;
