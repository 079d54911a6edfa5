// Records both sides of a test call on one timeline of 20 ms slots, so a saved WAV plays back as
// the call sounded: your lines and the agent's answers where they happened, silence between.
import { FRAME_SAMPLES } from '@voicefleet/media-node/audio';

const FRAME_MS = 20;

export class CallRecorder {
  private readonly slots = new Map<number, Int16Array>();

  /** Adds a 20 ms frame heard or sent at `atMs` (ms since the call started). */
  add(frame: Int16Array, atMs: number): void {
    const slot = Math.max(0, Math.round(atMs / FRAME_MS));
    const existing = this.slots.get(slot);
    if (existing === undefined) {
      this.slots.set(slot, Int16Array.from(frame));
      return;
    }
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      existing[i] = Math.max(-32768, Math.min(32767, (existing[i] ?? 0) + (frame[i] ?? 0)));
    }
  }

  /** The whole call as 8 kHz mono PCM16. */
  render(): Int16Array {
    const last = Math.max(-1, ...this.slots.keys());
    const out = new Int16Array((last + 1) * FRAME_SAMPLES);
    for (const [slot, frame] of this.slots) out.set(frame, slot * FRAME_SAMPLES);
    return out;
  }
}
