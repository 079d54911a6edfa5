// The openai LLM provider against the fake OpenAI-compatible server over real loopback HTTP
// (no binary needed: a unit test).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './fake-openai-server.test-support.js';
import { createOpenAiLlm } from './openai-llm.js';
import { ProviderError } from '../provider-error.js';
import type { LlmEvent, LlmProvider } from '../types.js';

async function collect(llm: LlmProvider, text: string) {
  const events: LlmEvent[] = [];
  for await (const ev of llm.respond(
    { messages: [{ role: 'caller', text }] },
    new AbortController().signal,
  )) {
    events.push(ev);
  }
  return events;
}

void describe('openai LLM provider', () => {
  let server: FakeOpenAiServer;
  let llm: LlmProvider;
  before(async () => {
    server = await startFakeOpenAiServer({ tokenMs: 5 });
    llm = createOpenAiLlm({
      endpoint: server.url,
      model: 'test-model',
      systemPrompt: 'You are a front desk.',
      apiKey: 'k-123',
    });
  });
  after(() => server.close());

  void it('streams the reply in several deltas with the system prompt and key sent', async () => {
    const events = await collect(llm, 'what time do you open');
    const text = events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
    assert.equal(text, 'You said: what time do you open. How else can I help?');
    assert.ok(events.length > 3);
    const req = server.requests.at(-1)!;
    assert.deepEqual(req.messages[0], { role: 'system', content: 'You are a front desk.' });
    assert.equal(req.authorization, 'Bearer k-123');
  });

  void it('turns a hangup tool call into a tool event', async () => {
    const events = await collect(llm, 'bye now');
    assert.deepEqual(events.at(-1), { type: 'tool', name: 'hangup', args: {} });
  });

  void it('reports HTTP 500 as a retryable error', async () => {
    server.failNext('http500', 1);
    await assert.rejects(
      collect(llm, 'hello'),
      (e: unknown) => e instanceof ProviderError && e.retryable && /500/.test(e.message),
    );
  });

  void it('reports a stream cut mid-reply as a retryable error after the partial text', async () => {
    server.failNext('disconnect', 1);
    const seen: LlmEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of llm.respond(
          { messages: [{ role: 'caller', text: 'tell me a long story please' }] },
          new AbortController().signal,
        ))
          seen.push(ev);
      })(),
      (e: unknown) => e instanceof ProviderError && e.retryable,
    );
    assert.ok(seen.length > 0, 'some text arrived before the cut');
  });

  void it('rejects a malformed endpoint with a message that says what to fix', () => {
    assert.throws(
      () => createOpenAiLlm({ endpoint: 'not a url', model: 'm' }),
      /pipeline\.llm\.endpoint/,
    );
  });
});
