/**
 * Writes one reply's speech into the sink: TTS chunks cut into 20 ms frames, the first frame
 * carrying the first-RTP callback, a retry when a retryable TTS failure happens before any audio of
 * the sentence left, and playout-time bookkeeping so the session knows when the agent is audible.
 */
import { FRAME_MS, FrameChunker } from '../audio/format.js';
import { asProviderError, isAbortError } from '../providers/provider-error.js';
import type { TtsProvider } from '../providers/types.js';
import type { AudioSink, Clock } from './types.js';

export interface PlayoutClock {
  /**
   * When the audio queued so far will have played out (ms on the session clock); while paused,
   * as if playback had gone on from `pausedAtMs` (resuming moves it on by the pause).
   */
  endsAtMs: number;
  /** Set while playback is paused (a possible barge-in): when it stopped. */
  pausedAtMs?: number | undefined;
}

export interface SpeechOutputOptions {
  sink: AudioSink;
  clock: Clock;
  playout: PlayoutClock;
  signal: AbortSignal;
  onFirstAudio?: (atMs: number) => void;
  onFirstSent?: (atMs: number) => void;
}

export class SpeechOutput {
  readonly #o: SpeechOutputOptions;
  readonly #chunker = new FrameChunker();
  #frames = 0;
  #firstAudio = false;

  constructor(options: SpeechOutputOptions) {
    this.#o = options;
  }

  get framesWritten(): number {
    return this.#frames;
  }

  /** Speaks `text` with `tts`, retrying once when that is safe. Throws a ProviderError. */
  async speak(tts: TtsProvider, text: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const before = this.#frames;
      try {
        for await (const chunk of tts.synthesize(text, this.#o.signal)) {
          if (this.#o.signal.aborted) return;
          this.#writeSamples(chunk);
        }
        this.#flush();
        return;
      } catch (err) {
        if (this.#o.signal.aborted || isAbortError(err)) return;
        const error = asProviderError(tts.name, err);
        if (attempt > 0 || !error.retryable || this.#frames !== before) throw error;
      }
    }
  }

  /** Plays pre-rendered 8 kHz audio. */
  play(samples: Int16Array): void {
    if (this.#o.signal.aborted) return;
    this.#writeSamples(samples);
    this.#flush();
  }

  #writeSamples(samples: Int16Array): void {
    if (samples.length > 0 && !this.#firstAudio) {
      this.#firstAudio = true;
      this.#o.onFirstAudio?.(this.#o.clock.now());
    }
    this.#chunker.split(samples, this.#writeFrame);
  }

  #flush(): void {
    const last = this.#chunker.flush();
    if (last) this.#write(last);
  }

  readonly #writeFrame = (frame: Int16Array): void => this.#write(frame);

  #write(frame: Int16Array): void {
    const { sink, clock, playout, onFirstSent } = this.#o;
    const from = playout.pausedAtMs ?? clock.now();
    playout.endsAtMs = Math.max(playout.endsAtMs, from) + FRAME_MS;
    if (this.#frames++ === 0 && onFirstSent) sink.write(frame, onFirstSent);
    else sink.write(frame);
  }
}

/** A short two-tone chime: the last resort when no speech can be rendered (never silence). */
export function apologyTone(): Int16Array {
  const out = new Int16Array(8000 * 0.6);
  for (let i = 0; i < out.length; i++) {
    const f = i < out.length / 2 ? 660 : 440;
    out[i] = Math.round(6000 * Math.sin((2 * Math.PI * f * i) / 8000));
  }
  return out;
}
