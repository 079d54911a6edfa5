/**
 * WebRTC VAD (libfvad compiled to wasm): ~3 µs per 20 ms frame, used for speech onset and
 * barge-in. One wasm module per process, one detector instance per call.
 */
import fvad from '@echogarden/fvad-wasm';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../audio/format.js';
import type { FrameClassifier } from './types.js';

interface FvadModule {
  _fvad_new(): number;
  _fvad_free(inst: number): void;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_process(inst: number, ptr: number, length: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

export interface WebRtcVad extends FrameClassifier {
  close(): void;
}

export interface WebRtcVadFactory {
  /** Aggressiveness 0 (least) to 3 (most eager to call audio non-speech). */
  create(mode?: 0 | 1 | 2 | 3): WebRtcVad;
}

export async function loadWebRtcVad(): Promise<WebRtcVadFactory> {
  const m = (await fvad()) as FvadModule;
  return {
    create(mode = 3) {
      const inst = m._fvad_new();
      if (inst === 0) throw new Error('webrtc vad: out of memory');
      if (m._fvad_set_mode(inst, mode) !== 0 || m._fvad_set_sample_rate(inst, SAMPLE_RATE) !== 0) {
        m._fvad_free(inst);
        throw new Error('webrtc vad: bad mode or sample rate');
      }
      const ptr = m._malloc(FRAME_SAMPLES * 2);
      let closed = false;
      return {
        isSpeech(frame) {
          if (closed || frame.length !== FRAME_SAMPLES) return false;
          m.HEAP16.set(frame, ptr >> 1);
          return m._fvad_process(inst, ptr, FRAME_SAMPLES) === 1;
        },
        close() {
          if (closed) return;
          closed = true;
          m._free(ptr);
          m._fvad_free(inst);
        },
      };
    },
  };
}
