// Records both sides of a test call on one timeline of 20 ms slots, so a saved WAV plays back as
// the call sounded: your lines on the left channel and the agent's on the right, where they
// happened, silence between.
import { FRAME_SAMPLES, writeWav } from '@voicefleet/media-node/audio';

const FRAME_MS = 20;

export type CallSide = 'you' | 'agent';

class Track {
  private readonly slots = new Map<number, Int16Array>();

  add(frame: Int16Array, atMs: number): void {
    const slot = Math.max(0, Math.round(atMs / FRAME_MS));
    const existing = this.slots.get(slot);
    if (existing === undefined) {
      this.slots.set(slot, Int16Array.from(frame));
      return;
    }
    // two frames of one side in one slot (a late packet): mixed, clipped instead of wrapping
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      existing[i] = Math.max(-32768, Math.min(32767, (existing[i] ?? 0) + (frame[i] ?? 0)));
    }
  }

  get lastSlot(): number {
    return Math.max(-1, ...this.slots.keys());
  }

  render(slots: number): Int16Array {
    const out = new Int16Array(slots * FRAME_SAMPLES);
    for (const [slot, frame] of this.slots) out.set(frame, slot * FRAME_SAMPLES);
    return out;
  }
}

export interface CallAudio {
  /** What you said, 8 kHz PCM16. */
  you: Int16Array;
  /** What the agent said, the same length. */
  agent: Int16Array;
}

export class CallRecorder {
  private readonly tracks = { you: new Track(), agent: new Track() };

  /** Adds a 20 ms frame sent (`you`) or heard (`agent`) at `atMs` (ms since the call started). */
  add(side: CallSide, frame: Int16Array, atMs: number): void {
    this.tracks[side].add(frame, atMs);
  }

  /** Both sides over the whole call. */
  render(): CallAudio {
    const slots = Math.max(this.tracks.you.lastSlot, this.tracks.agent.lastSlot) + 1;
    return { you: this.tracks.you.render(slots), agent: this.tracks.agent.render(slots) };
  }
}

/** A stereo WAV of a call: left channel you, right channel the agent. */
export function callWav(audio: CallAudio, sampleRate: number): Uint8Array {
  const frames = audio.you.length;
  const interleaved = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    interleaved[2 * i] = audio.you[i] ?? 0;
    interleaved[2 * i + 1] = audio.agent[i] ?? 0;
  }
  // writeWav writes the canonical 44-byte PCM header for one channel; the same samples, read as
  // pairs, are two channels: only the channel count, byte rate and block size differ.
  const wav = writeWav(interleaved, sampleRate);
  const header = new DataView(wav.buffer, wav.byteOffset, 44);
  header.setUint16(22, 2, true);
  header.setUint32(28, sampleRate * 4, true);
  header.setUint16(32, 4, true);
  return wav;
}
