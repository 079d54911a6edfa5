/**
 * Provider interfaces: what the agent loop needs from speech-to-text, text-to-speech and the
 * dialogue brain (an LLM or a scripted policy). Audio is PCM16 mono 8 kHz everywhere; each
 * provider converts at its own edge.
 */

/** One recognition result. `final` closes the utterance. */
export interface SttResult {
  text: string;
  final: boolean;
  confidence?: number;
}

/** One utterance (or a longer stream) of caller audio. */
export interface SttStream {
  /** A 20 ms frame (`Int16Array(160)`, 8 kHz). Ignored after `end()`. */
  write(frame: Int16Array): void;
  /** No more audio: the provider emits its final result and closes `results`. */
  end(): void;
  /** Partial and final results; throws a `ProviderError` when the provider fails. */
  results: AsyncIterable<SttResult>;
}

export interface SttProvider {
  readonly name: string;
  /** Opens a recognition stream; aborting the signal drops it without a result. */
  stream(signal: AbortSignal): SttStream;
  /** Releases shared resources (helper processes, channels). */
  close(): Promise<void>;
}

export interface TtsProvider {
  readonly name: string;
  /** Streams 8 kHz PCM16 chunks of any length; the first one as early as possible. */
  synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array>;
  close(): Promise<void>;
}

export type ToolName = 'hangup' | 'transfer';

export type LlmEvent =
  { type: 'text'; delta: string } | { type: 'tool'; name: ToolName; args: Record<string, unknown> };

/** A turn of the conversation. DTMF digits arrive as caller turns with `source: 'dtmf'`. */
export interface ConversationMessage {
  role: 'caller' | 'agent';
  text: string;
  source?: 'speech' | 'dtmf';
}

export interface LlmContext {
  /** Oldest first; the last one is the caller turn to answer. */
  messages: readonly ConversationMessage[];
}

export interface LlmProvider {
  readonly name: string;
  respond(context: LlmContext, signal: AbortSignal): AsyncIterable<LlmEvent>;
  close(): Promise<void>;
}

/** The providers one call uses. */
export interface ProviderSet {
  stt: SttProvider;
  tts: TtsProvider;
  llm: LlmProvider;
}
