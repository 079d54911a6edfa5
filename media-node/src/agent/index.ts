// The per-call agent loop: `createAgentSession` wires VAD turn detection, streaming STT, the
// dialogue brain and streaming TTS into a small state machine with barge-in and typed events.
export { AgentSession, createAgentSession } from './agent-session.js';
export type { AgentSessionOptions } from './session-options.js';
export type {
  AgentAction,
  AgentErrorEvent,
  AgentEvents,
  AgentLog,
  AgentState,
  AudioSink,
  Clock,
  TurnTimings,
} from './types.js';
export { SentenceChunker } from './sentence-chunker.js';
