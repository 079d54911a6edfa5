/** Energy VAD: a frame is speech when its RMS level is above a threshold (in dBFS). */
import { dbfs } from '../audio/energy.js';
import type { FrameClassifier } from './types.js';

export function createEnergyVad(thresholdDbfs = -40): FrameClassifier {
  return { isSpeech: (frame) => dbfs(frame) > thresholdDbfs };
}
