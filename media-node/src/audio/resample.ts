// Streaming sample-rate conversion for the provider edges: espeak-ng 22050 Hz -> 8000 Hz,
// 8000 Hz -> 16000 Hz for pocketsphinx, 16000 Hz -> 8000 Hz back.
//
// Method: rational polyphase resampling (up by L, low-pass, down by M, with L/M = out/in reduced by
// their gcd) with a Blackman-windowed sinc prototype. The transition band is 3% of the lower rate,
// ending at the lower Nyquist frequency, so everything up to 3.76 kHz of an 8 kHz stream passes
// flat (G.711 carries up to 4 kHz) and the stop band sits at about -74 dB (Blackman). A wider band
// (15%, passband ending at 2.8 kHz) cost fricatives: pocketsphinx recognised 14 of 21 espeak
// phrases through the telephone chain against 17 of 21 with this one (18 with sox's resampler).
// Only the L phases' taps that can contribute are evaluated, so cost per output sample is
// `tapsPerPhase` multiply-adds (about 500 for 22050 -> 8000, 180 for 8000 -> 16000: 10-25 ms of
// CPU per second of audio). State (input history and phase) carries across chunks, so chunk
// boundaries do not change the output; the filter delays the signal by about half a filter length
// (11 ms for 22050 -> 8000). `flush()` drains that delay at the end of a stream.

import { clampPcm16 } from './format.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function designPhases(up: number, tapsPerPhase: number, cutoff: number): Float64Array[] {
  // `cutoff` is in cycles per sample of the up-sampled stream.
  const length = up * tapsPerPhase;
  const centre = (length - 1) / 2;
  const phases = Array.from({ length: up }, () => new Float64Array(tapsPerPhase));
  for (let j = 0; j < length; j++) {
    const t = j - centre;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const w =
      0.42 -
      0.5 * Math.cos((2 * Math.PI * j) / (length - 1)) +
      0.08 * Math.cos((4 * Math.PI * j) / (length - 1));
    const phase = phases[j % up];
    if (phase) phase[Math.floor(j / up)] = up * sinc * w;
  }
  return phases;
}

/** A stateful resampler from `inputRate` to `outputRate` for PCM16 mono streams. */
export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  private readonly up: number;
  private readonly down: number;
  private readonly taps: number;
  private readonly phases: Float64Array[];
  /** The last `taps - 1` input samples (zeros before the stream starts). */
  private history: Float64Array;
  /** Up-sampled position of the next output, relative to the first sample of the next chunk. */
  private position = 0;

  constructor(inputRate: number, outputRate: number) {
    if (!Number.isInteger(inputRate) || !Number.isInteger(outputRate)) {
      throw new Error(`sample rates must be positive integers, got ${inputRate} -> ${outputRate}`);
    }
    if (inputRate <= 0 || outputRate <= 0) {
      throw new Error(`sample rates must be positive integers, got ${inputRate} -> ${outputRate}`);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    const lower = Math.min(inputRate, outputRate);
    const transitionHz = 0.03 * lower;
    this.taps = Math.max(8, Math.ceil((5.5 * inputRate) / transitionHz));
    const cutoffHz = lower / 2 - transitionHz / 2;
    this.phases = designPhases(this.up, this.taps, cutoffHz / (inputRate * this.up));
    this.history = new Float64Array(this.taps - 1);
  }

  /** Input samples by which the output lags the input (rounded up). */
  get delaySamples(): number {
    return Math.ceil((this.up * this.taps - 1) / 2 / this.up);
  }

  /** Output samples by which the output lags the input. */
  get outputDelaySamples(): number {
    return Math.round((this.up * this.taps - 1) / 2 / this.down);
  }

  /** Converts the next chunk of the stream; returns the output samples it completes. */
  process(chunk: Int16Array): Int16Array {
    const hist = this.history.length;
    const buf = new Float64Array(hist + chunk.length);
    buf.set(this.history);
    for (let i = 0; i < chunk.length; i++) buf[hist + i] = chunk[i] ?? 0;
    const end = chunk.length * this.up;
    const count = this.position < end ? Math.ceil((end - this.position) / this.down) : 0;
    const out = new Int16Array(count);
    let pos = this.position;
    for (let n = 0; n < count; n++) {
      const index = Math.floor(pos / this.up);
      const coeffs = this.phases[pos % this.up];
      let acc = 0;
      if (coeffs) {
        const base = hist + index;
        for (let k = 0; k < this.taps; k++) acc += (coeffs[k] ?? 0) * (buf[base - k] ?? 0);
      }
      out[n] = clampPcm16(acc);
      pos += this.down;
    }
    this.position = pos - end;
    this.history = buf.slice(buf.length - hist);
    return out;
  }

  /** Feeds silence to drain the filter delay at the end of a stream. */
  flush(): Int16Array {
    return this.process(new Int16Array(this.delaySamples));
  }

  /** Forgets the stream so far (history and phase), e.g. between utterances. */
  reset(): void {
    this.history.fill(0);
    this.position = 0;
  }
}

/** One-shot conversion of a whole buffer, aligned so that output[0] is input[0] (delay removed). */
export function resample(samples: Int16Array, inputRate: number, outputRate: number): Int16Array {
  if (inputRate === outputRate) return samples.slice();
  const r = new Resampler(inputRate, outputRate);
  const body = r.process(samples);
  const tail = r.flush();
  const all = new Int16Array(body.length + tail.length);
  all.set(body);
  all.set(tail, body.length);
  const skip = r.outputDelaySamples;
  const wanted = Math.floor((samples.length * outputRate) / inputRate);
  return all.slice(skip, skip + wanted);
}
