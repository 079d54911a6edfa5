// The node's internal audio format: PCM16 mono at 8000 Hz, moved in 20 ms frames of 160 samples.
// Every part of the media node (RTP, agent, VAD, providers) speaks this format; providers convert
// at their own edge (see resample.ts).

/** Samples per second of the node's internal audio. */
export const SAMPLE_RATE = 8000;
/** Duration of one frame in milliseconds. */
export const FRAME_MS = 20;
/** Samples in one 20 ms frame at 8000 Hz. */
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000; // 160
/** Bytes in one PCM16 frame. */
export const FRAME_BYTES = FRAME_SAMPLES * 2;
/** Largest magnitude of a PCM16 sample, for normalising to [-1, 1]. */
export const PCM16_FULL_SCALE = 32768;

/** One 20 ms frame of PCM16 mono 8 kHz audio (length FRAME_SAMPLES). */
export type Frame = Int16Array;

/** A new silent frame. */
export function silentFrame(): Frame {
  return new Int16Array(FRAME_SAMPLES);
}

/** True when `frame` has exactly the length of one 20 ms frame. */
export function isFrame(frame: Int16Array): boolean {
  return frame.length === FRAME_SAMPLES;
}

/** Number of whole frames in `samples` samples. */
export function framesIn(samples: number): number {
  return Math.floor(samples / FRAME_SAMPLES);
}

/** Duration in milliseconds of `samples` samples at `rate` Hz (default 8000). */
export function samplesToMs(samples: number, rate: number = SAMPLE_RATE): number {
  return (samples * 1000) / rate;
}

/** Number of samples in `ms` milliseconds at `rate` Hz (default 8000), rounded down. */
export function msToSamples(ms: number, rate: number = SAMPLE_RATE): number {
  return Math.floor((ms * rate) / 1000);
}

/** Clamp a number to the PCM16 range and round it. */
export function clampPcm16(value: number): number {
  if (value >= 32767) return 32767;
  if (value <= -32768) return -32768;
  return Math.round(value);
}

/**
 * Cuts a stream of arbitrarily sized PCM16 chunks into 20 ms frames. Keeps the remainder between
 * calls; `flush()` returns the last partial frame padded with silence (or nothing).
 */
export class FrameChunker {
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private filled = 0;

  /** Appends `samples` and returns every frame completed by them (each a new Int16Array). */
  push(samples: Int16Array): Frame[] {
    const out: Frame[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(FRAME_SAMPLES - this.filled, samples.length - i);
      this.pending.set(samples.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === FRAME_SAMPLES) {
        out.push(this.pending.slice());
        this.filled = 0;
      }
    }
    return out;
  }

  /**
   * Like push, without allocating: calls `emit` with each completed frame, which is a view into
   * `samples` when the frame lies whole inside it, or else the chunker's own buffer. Either is
   * valid only during the call: `emit` copies what it keeps.
   */
  split(samples: Int16Array, emit: (frame: Frame) => void): void {
    let i = 0;
    while (i < samples.length) {
      if (this.filled === 0 && samples.length - i >= FRAME_SAMPLES) {
        emit(samples.subarray(i, i + FRAME_SAMPLES));
        i += FRAME_SAMPLES;
        continue;
      }
      const take = Math.min(FRAME_SAMPLES - this.filled, samples.length - i);
      this.pending.set(samples.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === FRAME_SAMPLES) {
        this.filled = 0;
        emit(this.pending);
      }
    }
  }

  /** The buffered partial frame padded with silence, or undefined when nothing is buffered. */
  flush(): Frame | undefined {
    if (this.filled === 0) return undefined;
    const frame = silentFrame();
    frame.set(this.pending.subarray(0, this.filled));
    this.filled = 0;
    return frame;
  }
}
