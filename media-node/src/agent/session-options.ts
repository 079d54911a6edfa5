// What an agent session is built from: its providers, sink, clock and policies (agent-session.ts).
import type { ProviderSet, TtsProvider } from '../providers/types.js';
import type { TurnDetectorFactory } from '../vad/types.js';
import type { BargeInPolicy } from './barge-in.js';
import type { AgentLog, AgentTracing, AudioSink, Clock } from './types.js';

export interface AgentSessionOptions {
  pipeline: { greeting?: string };
  providers: ProviderSet;
  sink: AudioSink;
  clock: Clock;
  log: AgentLog;
  turnDetector: TurnDetectorFactory;
  /** Where the transfer action sends the caller (from the agent's transfer settings). */
  transferTarget?: string;
  /** A local TTS for apologies when the main one fails (e.g. espeak). */
  fallbackTts?: TtsProvider;
  /** Pre-rendered 8 kHz apology for when no TTS works (default: a short chime). */
  apologyAudio?: Int16Array;
  prompts?: { apology?: string; sttFailure?: string };
  /** Audio before the detected onset also sent to STT (default 300 ms). */
  preRollMs?: number;
  /** Prepare replies during the pause before the end of turn (default true). */
  prepareAhead?: boolean;
  /** The call's trace: a span per turn that provider requests run in (default: none). */
  tracing?: AgentTracing;
  /** When caller speech interrupts the agent (default BARGE_IN_DEFAULTS, pipeline.bargeIn). */
  bargeIn?: Partial<BargeInPolicy>;
}
