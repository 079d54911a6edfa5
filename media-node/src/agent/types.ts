/** Types of the per-call agent session: its sink, clock, log and typed events. */

/** Where the agent's speech goes (the call's RTP playout queue). */
export interface AudioSink {
  /**
   * Queues a 20 ms frame. `onSent`, when given, is called once that frame actually leaves as RTP,
   * with the time it left on the agent's clock (the agent passes it for the first frame of each
   * reply to time the turn; the call may learn of the send a little later than it happened). The frame may be a
   * view into the TTS provider's chunk or a reused buffer: a sink that keeps it copies it (the RTP
   * session encodes it at once).
   */
  write(frame: Int16Array, onSent?: (sentAtMs: number) => void): void;
  /**
   * Drops everything queued (barge-in). Returns when playback stopped if the media path stopped
   * it earlier, at the caller's speech onset (the RTP thread holds it there); else it stops now.
   */
  clear(): number | void;
  /**
   * Stops playback where it is and keeps what is queued (caller speech that may be a barge-in).
   * Returns when playback stopped if the media path stopped it earlier, at the speech onset.
   */
  pause(): number | void;
  /** Playback goes on from where `pause` stopped it. (`clear` ends a pause too.) */
  resume(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic scale; frame timestamps given to `pushAudio` use the same. */
  now(): number;
}

/** Structured log: static messages, user content only in attributes. */
export interface AgentLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
}

export type AgentState =
  'idle' | 'greeting' | 'listening' | 'hearing' | 'thinking' | 'speaking' | 'ended';

/** Milliseconds from the end of caller speech to each stage (absent when a stage did not run). */
export interface TurnTimings {
  sttFinalMs?: number;
  llmFirstTokenMs?: number;
  ttsFirstAudioMs?: number;
  firstRtpMs?: number;
  /** For a reply prepared during the pause: when the end of turn released it. */
  releasedMs?: number;
  [stage: string]: number | undefined;
}

/**
 * Tracing of a call's turns, as the agent sees them (the call's tracer implements it, see
 * core/turn-spans.ts). A turn opens at the caller's speech onset (or a DTMF key) so that every
 * provider request made for it, speech-to-text included, runs inside it.
 */
export interface AgentTracing {
  /** Opens a turn at `atMs` (agent clock). */
  turn(atMs: number): TurnTrace;
  /** Caller speech at `atMs` stopped the agent's audio `stopLatencyMs` later. */
  bargeIn(atMs: number, stopLatencyMs: number): void;
}

export interface TurnTrace {
  /** Runs `fn` with the turn as the active trace context: provider requests carry it as parent. */
  run<T>(fn: () => T): T;
  /**
   * Closes the turn: with its timings once the reply's first audio left (or it had none), or
   * without them when it ends unanswered (no words heard, merged into the next turn, interrupted).
   * Only the first call counts.
   */
  end(done?: { endOfSpeechAtMs: number; timings: TurnTimings }): void;
}

export type AgentAction = { type: 'hangup' } | { type: 'transfer'; target?: string };

export interface AgentErrorEvent {
  stage: 'stt' | 'llm' | 'tts';
  provider: string;
  retryable: boolean;
  error: unknown;
}

export type AgentEvents = {
  state: [AgentState];
  transcript: [{ role: 'caller' | 'agent'; text: string }];
  turn: [{ timings: TurnTimings; endOfSpeechAtMs: number }];
  action: [AgentAction];
  /**
   * A reply prepared during a pause was released by the end of turn, or dropped unheard because
   * the caller went on (spoke again or pressed a key).
   */
  prepared: [{ outcome: 'released' | 'dropped' }];
  /**
   * Caller speech (or a DTMF key) interrupted the agent; playback was cleared. `atMs`: the speech
   * onset; `stopLatencyMs`: onset -> playback stopped (paused at the onset, before the speech had
   * lasted `minSpeechMs` and the barge-in was committed).
   */
  bargeIn: [{ atMs: number; stopLatencyMs: number }];
  /**
   * Caller speech over the agent paused it, but stopped before it lasted `minSpeechMs`: not an
   * interruption. The agent went on from where it paused, after `pausedMs`.
   */
  bargeInResumed: [{ atMs: number; pausedMs: number }];
  error: [AgentErrorEvent];
};
