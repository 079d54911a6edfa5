// Voice activity and end-of-turn detection for the agent loop. `loadTurnDetection` builds, once
// per node, what `pipeline.vad` asks for: silero (WebRTC onset + Silero end of turn in a worker
// thread, batched across calls), webrtc (WebRTC for both) or energy (level threshold, no deps).
import { createEnergyVad } from './energy-vad.js';
import { createFrameTurnDetector } from './frame-turn-detector.js';
import { SileroVadService } from './silero-vad.js';
import { createSileroTurnDetector } from './silero-turn-detector.js';
import type { TurnDetectorFactory } from './types.js';
import { createOnsetClassifier } from './onset.js';
import { DEFAULT_ONSET_FRAMES } from './turn-state.js';
import { loadWebRtcVad } from './webrtc-vad.js';

export type {
  FrameClassifier,
  TurnDetector,
  TurnDetectorEvents,
  TurnDetectorFactory,
} from './types.js';
export { createEnergyVad } from './energy-vad.js';
export { createFrameTurnDetector } from './frame-turn-detector.js';
export { createSileroTurnDetector } from './silero-turn-detector.js';
export { SileroVadService } from './silero-vad.js';
export { loadWebRtcVad } from './webrtc-vad.js';
export { createOnsetClassifier } from './onset.js';

export interface TurnDetection {
  /** Creates one call's detector. */
  factory: TurnDetectorFactory;
  /** Set when the configured detector could not start and WebRTC VAD is used instead. */
  degraded?: string;
  /**
   * Speech frames that make an onset, when the onset classifier is createOnsetClassifier's: the
   * RTP thread can then watch for barge-in itself (rtp-thread/worker/session-bridge.ts). Unset for the energy VAD.
   */
  bargeInOnsetFrames?: number;
  close(): Promise<void>;
}

export async function loadTurnDetection(config: {
  provider: 'silero' | 'webrtc' | 'energy';
  endOfTurnMs?: number;
}): Promise<TurnDetection> {
  const endOfTurnMs = config.endOfTurnMs ?? 500;
  if (config.provider === 'energy') {
    return {
      factory: () => createFrameTurnDetector({ onset: createEnergyVad(), endOfTurnMs }),
      close: () => Promise.resolve(),
    };
  }
  const webrtc = await loadWebRtcVad();
  const webrtcOnly: TurnDetectorFactory = () =>
    createFrameTurnDetector({ onset: createOnsetClassifier(webrtc), endOfTurnMs });
  const bargeInOnsetFrames = DEFAULT_ONSET_FRAMES;
  if (config.provider === 'webrtc') {
    return { factory: webrtcOnly, bargeInOnsetFrames, close: () => Promise.resolve() };
  }
  let silero: SileroVadService;
  try {
    silero = await SileroVadService.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      factory: webrtcOnly,
      bargeInOnsetFrames,
      degraded: `silero unavailable (${reason})`,
      close: () => Promise.resolve(),
    };
  }
  return {
    factory: () =>
      createSileroTurnDetector({ onset: createOnsetClassifier(webrtc), silero, endOfTurnMs }),
    bargeInOnsetFrames,
    close: () => silero.close(),
  };
}
