/**
 * The part of `VoiceAgent.spec.pipeline` (docs/contracts.md) the providers read. Kept structural
 * so the media-node config type from `@voicefleet/api` is assignable to it.
 */

import type { MediaNodePipeline } from '@voicefleet/api';

export interface DialogueIntent {
  name: string;
  examples: readonly string[];
  reply: string;
  /** Only eligible right after the named intent. */
  after?: string;
  action?: 'hangup' | 'transfer';
}

export interface DialogueScript {
  fallback: string;
  slots?: Readonly<Record<string, readonly string[]>>;
  intents: readonly DialogueIntent[];
}

export interface VadConfig {
  provider: 'silero' | 'webrtc' | 'energy';
  endOfTurnMs?: number;
  /** Prepare replies during the pause before the end of turn (default true). */
  prepareAhead?: boolean;
}

export interface SttConfig {
  provider: 'pocketsphinx' | 'grpc' | 'fake';
  endpoint?: string;
  language?: string;
  /** Name of the environment variable holding the API key (secrets are resolved to env names). */
  apiKeyEnv?: string;
  /** `fake` only: transcripts emitted one per utterance, in order. */
  transcripts?: readonly string[];
}

export interface TtsConfig {
  provider: 'espeak' | 'grpc';
  voice?: string;
  endpoint?: string;
  apiKeyEnv?: string;
}

export interface LlmConfig {
  provider: 'scripted' | 'openai' | 'grpc';
  script?: DialogueScript;
  endpoint?: string;
  model?: string;
  systemPrompt?: string;
  apiKeyEnv?: string;
}

export interface PipelineConfig {
  greeting?: string;
  vad?: VadConfig;
  /** When caller speech interrupts the agent (agent/barge-in.ts). */
  bargeIn?: { minSpeechMs?: number; greetingInterruptible?: boolean };
  stt: SttConfig;
  tts: TtsConfig;
  llm: LlmConfig;
}

/** Compile-time check: the media-node config's pipeline (from `@voicefleet/api`) fits this shape. */
export type MediaNodePipelineFits = MediaNodePipeline extends PipelineConfig ? true : never;
export const MEDIA_NODE_PIPELINE_FITS: MediaNodePipelineFits = true;
