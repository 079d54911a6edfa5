// WAV files: read PCM16 / µ-law / A-law (mono or multi-channel, mixed down to mono) and write
// PCM16 or µ-law mono. Used by tests, the local CLI and providers that exchange WAV with tools
// (espeak-ng, sox). Tolerates streamed headers whose sizes are 0 or 0xFFFFFFFF.

import { alawDecodeSample, encodeMulaw, mulawDecodeSample } from './g711.js';

const FORMAT_PCM = 1;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Sample encodings of a WAV file that this module reads and (PCM16, µ-law) writes. */
export type WavEncoding = 'pcm16' | 'mulaw' | 'alaw';

/** A decoded WAV file: PCM16 mono samples plus what the header said. */
export interface WavAudio {
  sampleRate: number;
  /** Channels in the file; `samples` is always mono (channels averaged). */
  channels: number;
  encoding: WavEncoding;
  samples: Int16Array;
}

/** Thrown for a file that is not a WAV this module reads; the message says what is wrong. */
export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

function encodingOf(format: number, bits: number): WavEncoding {
  if (format === FORMAT_PCM && bits === 16) return 'pcm16';
  if (format === FORMAT_MULAW && bits === 8) return 'mulaw';
  if (format === FORMAT_ALAW && bits === 8) return 'alaw';
  throw new WavFormatError(
    `unsupported WAV format ${format} with ${bits} bits (want PCM16, µ-law or A-law)`,
  );
}

/** Parses a WAV file held in `data`. */
export function readWav(data: Uint8Array): WavAudio {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tag = (at: number): string => String.fromCharCode(...data.subarray(at, at + 4));
  if (data.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= data.length) {
    const id = tag(offset);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + 8;
    const size = Math.min(declared, data.length - body);
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError('fmt chunk shorter than 16 bytes');
      let format = view.getUint16(body, true);
      if (format === FORMAT_EXTENSIBLE && size >= 26) format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      const streamed = declared === 0 || declared === 0xffffffff;
      const bytes = data.subarray(body, streamed ? data.length : body + size);
      return decodeBody(bytes, fmt.format, fmt.channels, fmt.rate, fmt.bits);
    }
    offset = body + size + (size % 2);
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}

function decodeBody(
  bytes: Uint8Array,
  format: number,
  channels: number,
  rate: number,
  bits: number,
): WavAudio {
  const encoding = encodingOf(format, bits);
  if (channels < 1) throw new WavFormatError('WAV declares zero channels');
  if (rate <= 0) throw new WavFormatError('WAV declares a zero sample rate');
  const width = encoding === 'pcm16' ? 2 : 1;
  const frames = Math.floor(bytes.length / (width * channels));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const at = (f * channels + c) * width;
      if (encoding === 'pcm16') sum += view.getInt16(at, true);
      else if (encoding === 'mulaw') sum += mulawDecodeSample(bytes[at] ?? 0xff);
      else sum += alawDecodeSample(bytes[at] ?? 0xd5);
    }
    samples[f] = Math.round(sum / channels);
  }
  return { sampleRate: rate, channels, encoding, samples };
}

/** Serialises mono `samples` as a WAV file in PCM16 (default) or µ-law. */
export function writeWav(
  samples: Int16Array,
  sampleRate: number,
  encoding: 'pcm16' | 'mulaw' = 'pcm16',
): Uint8Array {
  const width = encoding === 'pcm16' ? 2 : 1;
  const dataBytes = samples.length * width;
  const fmtSize = encoding === 'pcm16' ? 16 : 18; // non-PCM formats carry cbSize
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + dataBytes + (dataBytes % 2));
  const view = new DataView(out.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, encoding === 'pcm16' ? FORMAT_PCM : FORMAT_MULAW, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * width, true);
  view.setUint16(32, width, true);
  view.setUint16(34, width * 8, true);
  const dataAt = 20 + fmtSize;
  put(dataAt, 'data');
  view.setUint32(dataAt + 4, dataBytes, true);
  if (encoding === 'pcm16') {
    for (let i = 0; i < samples.length; i++)
      view.setInt16(dataAt + 8 + i * 2, samples[i] ?? 0, true);
  } else {
    encodeMulaw(samples, out.subarray(dataAt + 8, dataAt + 8 + dataBytes));
  }
  return out;
}
