import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PipelineConfig } from './pipeline-config.js';
import { createProviders } from './registry.js';
import { FRONT_DESK_SCRIPT } from './scripted/front-desk-script.js';

const base: PipelineConfig = {
  stt: { provider: 'fake', transcripts: ['hi'] },
  tts: { provider: 'espeak', voice: 'en-us' },
  llm: { provider: 'scripted', script: FRONT_DESK_SCRIPT },
};

void it('builds the providers a pipeline names', () => {
  const p = createProviders(base);
  assert.deepEqual([p.stt.name, p.tts.name, p.llm.name], ['fake', 'espeak', 'scripted']);
});

void it('builds remote providers with the API key from the named env var', async () => {
  const p = createProviders(
    {
      stt: { provider: 'grpc', endpoint: '127.0.0.1:50051' },
      tts: { provider: 'grpc', endpoint: '127.0.0.1:50052' },
      llm: {
        provider: 'openai',
        endpoint: 'http://127.0.0.1:8000/v1',
        model: 'm',
        apiKeyEnv: 'LLM_KEY',
      },
    },
    { env: { LLM_KEY: 'k' } },
  );
  assert.deepEqual([p.stt.name, p.tts.name, p.llm.name], ['grpc-stt', 'grpc-tts', 'openai']);
  await Promise.all([p.stt.close(), p.tts.close(), p.llm.close()]);
});

const errors: [string, PipelineConfig, Record<string, string>, RegExp][] = [
  [
    'a scripted llm without script',
    { ...base, llm: { provider: 'scripted' } },
    {},
    /pipeline\.llm\.script is required/,
  ],
  [
    'an unset API key variable',
    { ...base, llm: { provider: 'openai', endpoint: 'http://127.0.0.1:1/v1', apiKeyEnv: 'NOPE' } },
    {},
    /NOPE, which is not set/,
  ],
  [
    'a grpc stt without endpoint',
    { ...base, stt: { provider: 'grpc' } },
    {},
    /pipeline\.stt\.endpoint is required/,
  ],
  [
    'a voice espeak cannot have',
    { ...base, tts: { provider: 'espeak', voice: '../../etc' } },
    {},
    /pipeline\.tts\.voice/,
  ],
  [
    'a script with a dangling follow-up',
    {
      ...base,
      llm: {
        provider: 'scripted',
        script: {
          fallback: 'f',
          intents: [{ name: 'a', after: 'b', examples: ['x'], reply: 'y' }],
        },
      },
    },
    {},
    /after "b" names no intent/,
  ],
];
for (const [name, pipeline, env, message] of errors) {
  void it(`says what to fix for ${name}`, () =>
    assert.throws(() => createProviders(pipeline, { env }), message));
}
