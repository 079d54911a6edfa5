// Speech and dialogue providers for the agent loop: interfaces (types.ts), the error they throw,
// the registry that builds them from `pipeline` config, local providers (espeak-ng TTS,
// pocketsphinx STT, scripted dialogue, fixed transcripts) and remote ones (OpenAI-compatible chat,
// the gRPC provider protocol in media-node/proto/).
export type {
  ConversationMessage,
  LlmContext,
  LlmEvent,
  LlmProvider,
  ProviderSet,
  SttProvider,
  SttResult,
  SttStream,
  ToolName,
  TtsProvider,
} from './types.js';
export { ProviderError, asProviderError, isAbortError } from './provider-error.js';
export type { DialogueIntent, DialogueScript, PipelineConfig } from './pipeline-config.js';
export { createProviders, defaultRegistry } from './registry.js';
export type { ProviderRegistry, RegistryContext } from './registry.js';
export { cachedTts } from './cached-tts.js';
export { createEspeakTts } from './local/espeak-tts.js';
export { createFixedStt } from './local/fixed-stt.js';
export { createPocketsphinxStt } from './local/pocketsphinx-stt.js';
export { createScriptedLlm } from './scripted/scripted-llm.js';
export { createOpenAiLlm } from './openai/openai-llm.js';
export { createGrpcLlm } from './grpc/grpc-llm.js';
export { createGrpcStt } from './grpc/grpc-stt.js';
export { createGrpcTts } from './grpc/grpc-tts.js';
export { PROTO_PATH, loadProviderServices } from './grpc/proto.js';
export { FRONT_DESK_GREETING, FRONT_DESK_SCRIPT } from './scripted/front-desk-script.js';
