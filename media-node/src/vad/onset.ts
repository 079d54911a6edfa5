/**
 * The speech-onset classifier of every WebRTC-based turn detector: WebRTC VAD at its most
 * aggressive mode, believed after its warm-up. The RTP thread runs the same one to hold the
 * agent's speech back the moment a caller talks over it, so both sides agree on the onset.
 */
import type { FrameClassifier } from './types.js';
import { afterWarmUp } from './warm-up.js';
import type { WebRtcVadFactory } from './webrtc-vad.js';

export function createOnsetClassifier(vad: WebRtcVadFactory): FrameClassifier & { close(): void } {
  return afterWarmUp(vad.create(3));
}
