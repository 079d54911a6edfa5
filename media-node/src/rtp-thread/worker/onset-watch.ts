// Runs of speech frames in a caller's audio, on the RTP thread: the agent's own onset classifier
// (vad/onset.ts) on every frame, and the frame that completes an onset (barge-in).
import type { FrameClassifier } from '../../vad/types.js';

/** Runs of speech frames in the caller's audio: true at the frame that completes an onset. */
export class OnsetWatch {
  private run = 0;
  /** The classifier's verdict on the last frame pushed. */
  speech = false;

  constructor(
    private readonly classifier: FrameClassifier & { close(): void },
    private readonly frames: number,
  ) {}

  /** Classifies `frame`; true at the frame that completes an onset. */
  push(frame: Int16Array): boolean {
    this.speech = this.classifier.isSpeech(frame);
    if (!this.speech) {
      this.run = 0;
      return false;
    }
    return ++this.run === this.frames;
  }

  close(): void {
    this.classifier.close();
  }
}
