/**
 * Creates providers from `pipeline` config by provider name (local: pocketsphinx, fake, espeak,
 * scripted; remote: grpc, openai). Bad config throws an error that says
 * which field to fix.
 */
import type { PipelineConfig } from './pipeline-config.js';
import { createEspeakTts } from './local/espeak-tts.js';
import { createFixedStt } from './local/fixed-stt.js';
import { createPocketsphinxStt } from './local/pocketsphinx-stt.js';
import { createGrpcLlm } from './grpc/grpc-llm.js';
import { createGrpcStt } from './grpc/grpc-stt.js';
import { createGrpcTts } from './grpc/grpc-tts.js';
import { createOpenAiLlm } from './openai/openai-llm.js';
import { createScriptedLlm } from './scripted/scripted-llm.js';
import type { LlmProvider, ProviderSet, SttProvider, TtsProvider } from './types.js';

export interface RegistryContext {
  pipeline: PipelineConfig;
  env: Readonly<Record<string, string | undefined>>;
}

type Factory<T> = (ctx: RegistryContext) => T;

export interface ProviderRegistry {
  stt: Map<string, Factory<SttProvider>>;
  tts: Map<string, Factory<TtsProvider>>;
  llm: Map<string, Factory<LlmProvider>>;
}

function apiKey(ctx: RegistryContext, name: string | undefined, field: string): string | undefined {
  if (name === undefined) return undefined;
  const value = ctx.env[name];
  if (!value) throw new Error(`${field} names environment variable ${name}, which is not set`);
  return value;
}

function need<T>(value: T | undefined, field: string, why: string): T {
  if (value === undefined) throw new Error(`${field} is required ${why}`);
  return value;
}

/** The built-in providers by `provider` name; a node may add its own entries. */
export function defaultRegistry(): ProviderRegistry {
  return {
    stt: new Map<string, Factory<SttProvider>>([
      [
        'pocketsphinx',
        (ctx) =>
          createPocketsphinxStt({
            script: need(
              ctx.pipeline.llm.script,
              'pipeline.llm.script',
              'for stt provider pocketsphinx (its grammar)',
            ),
          }),
      ],
      ['fake', (ctx) => createFixedStt({ transcripts: ctx.pipeline.stt.transcripts ?? [] })],
      [
        'grpc',
        (ctx) => {
          const { stt } = ctx.pipeline;
          const key = apiKey(ctx, stt.apiKeyEnv, 'pipeline.stt.apiKeyEnv');
          return createGrpcStt({
            endpoint: need(stt.endpoint, 'pipeline.stt.endpoint', 'for stt provider grpc'),
            ...(key === undefined ? {} : { apiKey: key }),
            ...(stt.language === undefined ? {} : { language: stt.language }),
          });
        },
      ],
    ]),
    tts: new Map<string, Factory<TtsProvider>>([
      [
        'espeak',
        (ctx) =>
          createEspeakTts(
            ctx.pipeline.tts.voice === undefined ? {} : { voice: ctx.pipeline.tts.voice },
          ),
      ],
      [
        'grpc',
        (ctx) => {
          const { tts } = ctx.pipeline;
          const key = apiKey(ctx, tts.apiKeyEnv, 'pipeline.tts.apiKeyEnv');
          return createGrpcTts({
            endpoint: need(tts.endpoint, 'pipeline.tts.endpoint', 'for tts provider grpc'),
            ...(key === undefined ? {} : { apiKey: key }),
            ...(tts.voice === undefined ? {} : { voice: tts.voice }),
          });
        },
      ],
    ]),
    llm: new Map<string, Factory<LlmProvider>>([
      [
        'scripted',
        (ctx) =>
          createScriptedLlm({
            script: need(
              ctx.pipeline.llm.script,
              'pipeline.llm.script',
              'for llm provider scripted',
            ),
          }),
      ],
      [
        'openai',
        (ctx) => {
          const { llm } = ctx.pipeline;
          const key = apiKey(ctx, llm.apiKeyEnv, 'pipeline.llm.apiKeyEnv');
          return createOpenAiLlm({
            endpoint: need(llm.endpoint, 'pipeline.llm.endpoint', 'for llm provider openai'),
            model: llm.model ?? 'default',
            ...(llm.systemPrompt === undefined ? {} : { systemPrompt: llm.systemPrompt }),
            ...(key === undefined ? {} : { apiKey: key }),
          });
        },
      ],
      [
        'grpc',
        (ctx) => {
          const { llm } = ctx.pipeline;
          const key = apiKey(ctx, llm.apiKeyEnv, 'pipeline.llm.apiKeyEnv');
          return createGrpcLlm({
            endpoint: need(llm.endpoint, 'pipeline.llm.endpoint', 'for llm provider grpc'),
            ...(key === undefined ? {} : { apiKey: key }),
            ...(llm.systemPrompt === undefined ? {} : { systemPrompt: llm.systemPrompt }),
          });
        },
      ],
    ]),
  };
}

function pick<T>(
  map: Map<string, Factory<T>>,
  provider: string,
  field: string,
  ctx: RegistryContext,
): T {
  const factory = map.get(provider);
  if (!factory) {
    throw new Error(
      `${field} "${provider}" is not available here (known: ${[...map.keys()].join(', ')})`,
    );
  }
  return factory(ctx);
}

/** Builds the providers a pipeline names. Shared by all calls of a node; close them at exit. */
export function createProviders(
  pipeline: PipelineConfig,
  options: { env?: Readonly<Record<string, string | undefined>>; registry?: ProviderRegistry } = {},
): ProviderSet {
  const ctx: RegistryContext = { pipeline, env: options.env ?? process.env };
  const registry = options.registry ?? defaultRegistry();
  return {
    stt: pick(registry.stt, pipeline.stt.provider, 'pipeline.stt.provider', ctx),
    tts: pick(registry.tts, pipeline.tts.provider, 'pipeline.tts.provider', ctx),
    llm: pick(registry.llm, pipeline.llm.provider, 'pipeline.llm.provider', ctx),
  };
}
