/**
 * WebRTC VAD starts from built-in noise estimates: on a line with background hiss it calls the
 * first 60-80 ms of a call speech, which would be a barge-in that cuts the greeting. Until it has
 * heard `frames` frames its verdicts are computed (so it adapts) but not believed.
 */
import type { FrameClassifier } from './types.js';

export function afterWarmUp(
  classifier: FrameClassifier & { close(): void },
  frames = 5,
): FrameClassifier & { close(): void } {
  let heard = 0;
  return {
    isSpeech(frame) {
      const speech = classifier.isSpeech(frame);
      return heard++ >= frames && speech;
    },
    close: () => classifier.close(),
  };
}
