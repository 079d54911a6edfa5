/**
 * The speech pipeline of an agent: VAD -> STT -> LLM -> TTS. Built twice from one definition:
 * with Secret references (the VoiceAgent spec) and with env var names (the media-node config).
 */
import { Type, type TProperties } from '@sinclair/typebox';
import { cel } from './cel.js';
import { SecretKeySelector, StringEnum } from './common.js';
import { ScriptedDialogue } from './dialogue.js';

export const VAD_PROVIDERS = ['silero', 'webrtc', 'energy'] as const;
export const STT_PROVIDERS = ['pocketsphinx', 'grpc', 'fake'] as const;
export const TTS_PROVIDERS = ['espeak', 'grpc'] as const;
export const LLM_PROVIDERS = ['scripted', 'openai', 'grpc'] as const;

/**
 * When caller speech over the agent interrupts it (barge-in): the one place these defaults live
 * (the schema's defaults and the media node's agent both read them).
 */
export const BARGE_IN_DEFAULTS = { minSpeechMs: 300, greetingInterruptible: true } as const;
/** The shortest speech that can interrupt: the onset itself (three 20 ms frames). */
export const MIN_BARGE_IN_SPEECH_MS = 60;

const endpoint = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 512, description }));

export const apiKeyFromSecret = (what: string) => ({
  apiKeySecretRef: Type.Optional(
    SecretKeySelector(`Secret key holding the API key or bearer token of the ${what} endpoint.`),
  ),
});

export const apiKeyFromEnv = (what: string) => ({
  apiKeyEnv: Type.Optional(
    Type.String({
      maxLength: 128,
      description: `Environment variable holding the API key of the ${what} endpoint.`,
    }),
  ),
});

const GRPC_ENDPOINT = cel(
  "self.provider != 'grpc' || has(self.endpoint)",
  'endpoint is required when provider is grpc (host:port of the speech service)',
  (self: { provider: string; endpoint?: string }) =>
    self.provider !== 'grpc' || self.endpoint !== undefined,
  '.endpoint',
);

/** An absolute http(s) URL with a host: what CEL's isURL + scheme + host checks accept. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function pipelineSchema<A extends TProperties>(apiKey: (what: string) => A) {
  return Type.Object(
    {
      greeting: Type.Optional(
        Type.String({ maxLength: 1000, description: 'What the agent says when it answers.' }),
      ),
      vad: Type.Object(
        {
          provider: StringEnum(VAD_PROVIDERS, {
            default: 'silero',
            description: 'Voice activity detector: silero (neural), webrtc or energy.',
          }),
          endOfTurnMs: Type.Integer({
            minimum: 100,
            maximum: 5000,
            default: 500,
            description: 'Milliseconds of caller silence that end the caller turn.',
          }),
          prepareAhead: Type.Boolean({
            default: true,
            description:
              'Prepare the reply (STT final, LLM, TTS) during the pause before the end of turn and hold it back, so it starts the moment the turn ends. Costs one discarded LLM and TTS request each time the caller goes on after such a pause.',
          }),
        },
        {
          additionalProperties: false,
          default: {},
          description: 'Voice activity and end-of-turn detection.',
        },
      ),
      bargeIn: Type.Object(
        {
          minSpeechMs: Type.Integer({
            minimum: MIN_BARGE_IN_SPEECH_MS,
            maximum: 2000,
            default: BARGE_IN_DEFAULTS.minSpeechMs,
            description:
              'Milliseconds of caller speech, from its onset, before it interrupts the agent. At the onset the agent pauses at once; speech that stops sooner (line noise, a cough, a short "hello?") is not an interruption, and the agent goes on from where it paused. 60 interrupts at the onset.',
          }),
          greetingInterruptible: Type.Boolean({
            default: BARGE_IN_DEFAULTS.greetingInterruptible,
            description:
              'Whether caller speech or a key press can interrupt the greeting. When false the greeting plays in full, and what the caller says over it is answered after it.',
          }),
        },
        {
          additionalProperties: false,
          default: {},
          description: 'When caller speech over the agent interrupts it (barge-in).',
        },
      ),
      stt: Type.Object(
        {
          provider: StringEnum(STT_PROVIDERS, {
            default: 'pocketsphinx',
            description:
              'Speech-to-text: pocketsphinx (offline), grpc (remote service) or fake (tests).',
          }),
          endpoint: endpoint('host:port of the gRPC speech-to-text service (provider grpc).'),
          language: Type.Optional(
            Type.String({
              maxLength: 35,
              description: 'BCP 47 language of the caller, e.g. en-US.',
            }),
          ),
          ...apiKey('speech-to-text'),
        },
        {
          additionalProperties: false,
          default: { provider: 'pocketsphinx' },
          description: 'Speech-to-text provider.',
          'x-kubernetes-validations': [GRPC_ENDPOINT],
        },
      ),
      tts: Type.Object(
        {
          provider: StringEnum(TTS_PROVIDERS, {
            default: 'espeak',
            description: 'Text-to-speech: espeak (espeak-ng, offline) or grpc (remote service).',
          }),
          voice: Type.Optional(
            Type.String({ maxLength: 128, description: 'Voice name, e.g. en-us for espeak.' }),
          ),
          endpoint: endpoint('host:port of the gRPC text-to-speech service (provider grpc).'),
          ...apiKey('text-to-speech'),
        },
        {
          additionalProperties: false,
          default: { provider: 'espeak' },
          description: 'Text-to-speech provider.',
          'x-kubernetes-validations': [GRPC_ENDPOINT],
        },
      ),
      llm: Type.Object(
        {
          provider: StringEnum(LLM_PROVIDERS, {
            description:
              'Dialogue brain: scripted (offline intents in script), openai (any OpenAI-compatible ' +
              'chat endpoint: vLLM, Ollama, OpenAI) or grpc (remote agent brain).',
          }),
          script: Type.Optional(ScriptedDialogue),
          endpoint: endpoint(
            'Base URL of the OpenAI-compatible API (e.g. http://llm.internal:8000/v1) or host:port for grpc.',
          ),
          model: Type.Optional(
            Type.String({ maxLength: 256, description: 'Model name sent to the endpoint.' }),
          ),
          systemPrompt: Type.Optional(
            Type.String({
              maxLength: 20000,
              description: 'System prompt for openai/grpc providers.',
            }),
          ),
          ...apiKey('LLM'),
        },
        {
          additionalProperties: false,
          description: 'The dialogue brain that turns caller transcripts into replies.',
          'x-kubernetes-validations': [
            cel(
              "self.provider != 'scripted' || has(self.script)",
              'script is required when provider is scripted',
              (self: { provider: string; script?: unknown }) =>
                self.provider !== 'scripted' || self.script !== undefined,
              '.script',
            ),
            cel(
              "self.provider == 'scripted' || has(self.endpoint)",
              'endpoint is required when provider is openai or grpc',
              (self: { provider: string; endpoint?: string }) =>
                self.provider === 'scripted' || self.endpoint !== undefined,
              '.endpoint',
            ),
            cel(
              "self.provider != 'openai' || !has(self.endpoint) || (isURL(self.endpoint) && " +
                "url(self.endpoint).getScheme() in ['http', 'https'] && url(self.endpoint).getHost() != '')",
              'endpoint must be an http or https URL when provider is openai, e.g. http://llm.internal:8000/v1',
              (self: { provider: string; endpoint?: string }) =>
                self.provider !== 'openai' ||
                self.endpoint === undefined ||
                isHttpUrl(self.endpoint),
              '.endpoint',
            ),
          ],
        },
      ),
    },
    { additionalProperties: false, description: 'The per-call speech pipeline.' },
  );
}
