/** Energy VAD: a frame is speech when its RMS level is above a threshold (in dBFS). */
import { PCM16_FULL_SCALE } from '../audio/format.js';
import type { FrameClassifier } from './types.js';

export function frameLevelDbfs(frame: Int16Array): number {
  let sum = 0;
  for (const s of frame) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, frame.length)) / PCM16_FULL_SCALE;
  return rms > 0 ? 20 * Math.log10(rms) : -120;
}

export function createEnergyVad(thresholdDbfs = -40): FrameClassifier {
  return { isSpeech: (frame) => frameLevelDbfs(frame) > thresholdDbfs };
}
