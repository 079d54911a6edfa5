// Loudness of PCM16 frames: RMS, peak and dBFS (0 dBFS = a full-scale square wave).

import { PCM16_FULL_SCALE } from './format.js';

/** The dBFS reported for digital silence (the floor of 16-bit audio). */
export const SILENCE_DBFS = -96;

/** Root mean square of the samples (0 for an empty frame). */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / samples.length);
}

/** Largest absolute sample value. */
export function peak(samples: Int16Array): number {
  let max = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = Math.abs(samples[i] ?? 0);
    if (s > max) max = s;
  }
  return max;
}

/** RMS level in dBFS, never below SILENCE_DBFS. */
export function dbfs(samples: Int16Array): number {
  const level = rms(samples);
  if (level <= 0) return SILENCE_DBFS;
  return Math.max(SILENCE_DBFS, 20 * Math.log10(level / PCM16_FULL_SCALE));
}

/** Linear gain factor for a change of `db` decibels. */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}
