// Audio inside the media node: the internal format (PCM16 mono 8 kHz, 20 ms frames), G.711
// µ-law/A-law by lookup tables, streaming resampling at provider edges, WAV files and frame energy.
// RTP, the agent loop and the providers all build on these; nothing here does I/O except wav.ts.

export {
  FRAME_BYTES,
  FRAME_MS,
  FRAME_SAMPLES,
  FrameChunker,
  PCM16_FULL_SCALE,
  SAMPLE_RATE,
  clampPcm16,
  framesIn,
  isFrame,
  msToSamples,
  samplesToMs,
  silentFrame,
} from './format.js';
export type { Frame } from './format.js';
export {
  ALAW_SILENCE,
  MULAW_SILENCE,
  alawDecodeSample,
  alawEncodeSample,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  mulawDecodeSample,
  mulawEncodeSample,
} from './g711.js';
export { Resampler, resample } from './resample.js';
export { WavFormatError, readWav, writeWav } from './wav.js';
export type { WavAudio, WavEncoding } from './wav.js';
export { SILENCE_DBFS, dbToGain, dbfs, peak, rms } from './energy.js';
