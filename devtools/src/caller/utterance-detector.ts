// Finds where the agent speaks in what the caller hears: 20 ms frames in, utterance start and end
// times out. An utterance ends after `silenceMs` without speech, so pauses between sentences of
// one answer do not split it. Pure: times are passed in.
import { dbfs } from '@voicefleet/media-node/audio';

export interface UtteranceDetectorOptions {
  /** Frame level above which the frame counts as speech (default -45 dBFS). */
  thresholdDbfs?: number;
  /** Silence that ends an utterance (default 900 ms). */
  silenceMs?: number;
}

export type UtteranceEvent =
  { type: 'start'; atMs: number } | { type: 'end'; atMs: number; startedAtMs: number };

export class UtteranceDetector {
  private readonly threshold: number;
  private readonly silenceMs: number;
  private startedAt: number | undefined;
  private lastSpeechAt = 0;

  constructor(options: UtteranceDetectorOptions = {}) {
    this.threshold = options.thresholdDbfs ?? -45;
    this.silenceMs = options.silenceMs ?? 900;
  }

  get speaking(): boolean {
    return this.startedAt !== undefined;
  }

  /** Feeds one frame heard at `atMs`; returns an event when an utterance starts or ends. */
  push(frame: Int16Array, atMs: number): UtteranceEvent | undefined {
    const speech = dbfs(frame) > this.threshold;
    if (speech) {
      this.lastSpeechAt = atMs;
      if (this.startedAt === undefined) {
        this.startedAt = atMs;
        return { type: 'start', atMs };
      }
      return undefined;
    }
    return this.tick(atMs);
  }

  /** Ends the utterance in progress at `atMs`, if any: what is heard next is a new utterance. */
  cut(atMs: number): UtteranceEvent | undefined {
    if (this.startedAt === undefined) return undefined;
    const startedAtMs = this.startedAt;
    this.startedAt = undefined;
    return { type: 'end', atMs, startedAtMs };
  }

  /** Time passing without a frame (the far end sends nothing while silent). */
  tick(atMs: number): UtteranceEvent | undefined {
    if (this.startedAt === undefined || atMs - this.lastSpeechAt < this.silenceMs) return undefined;
    const startedAtMs = this.startedAt;
    this.startedAt = undefined;
    return { type: 'end', atMs: this.lastSpeechAt + 20, startedAtMs };
  }
}
