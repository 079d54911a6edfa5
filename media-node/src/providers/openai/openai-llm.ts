/**
 * `openai` LLM provider: any OpenAI-compatible `/chat/completions` endpoint (vLLM, Ollama,
 * OpenAI) with `stream: true`. Streams text deltas, turns the `hangup` / `transfer` tool calls
 * into tool events, and maps failures to retryable (5xx, 429, network, cut stream) or not (4xx).
 */
import { traceContextHeaders } from '../../telemetry/trace-context.js';
import { ProviderError } from '../provider-error.js';
import type { ConversationMessage, LlmContext, LlmEvent, LlmProvider } from '../types.js';
import { sseData } from './sse.js';

export interface OpenAiLlmOptions {
  /** Base URL, e.g. http://llm.internal:8000/v1 */
  endpoint: string;
  model: string;
  systemPrompt?: string;
  apiKey?: string;
  temperature?: number;
}

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'hangup',
      description: 'End the call after saying goodbye.',
      parameters: { type: 'object', properties: {} },
    },
  },
  {
    type: 'function',
    function: {
      name: 'transfer',
      description: 'Transfer the caller to a human colleague.',
      parameters: { type: 'object', properties: { reason: { type: 'string' } } },
    },
  },
];

interface ChunkChoice {
  delta?: {
    content?: string | null;
    tool_calls?: { index?: number; function?: { name?: string; arguments?: string } }[];
  };
  finish_reason?: string | null;
}

function toChatMessage(m: ConversationMessage): { role: string; content: string } {
  if (m.role === 'agent') return { role: 'assistant', content: m.text };
  return {
    role: 'user',
    content: m.source === 'dtmf' ? `[the caller pressed key ${m.text}]` : m.text,
  };
}

function parseArgs(json: string): Record<string, unknown> {
  try {
    const value: unknown = json ? JSON.parse(json) : {};
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function createOpenAiLlm(options: OpenAiLlmOptions): LlmProvider {
  let url: URL;
  try {
    url = new URL(`${options.endpoint.replace(/\/+$/, '')}/chat/completions`);
  } catch (cause) {
    throw new Error(
      `pipeline.llm.endpoint "${options.endpoint}" is not a URL (e.g. http://llm:8000/v1)`,
      { cause },
    );
  }
  const fail = (message: string, retryable: boolean, cause?: unknown): ProviderError =>
    new ProviderError(
      'openai',
      message,
      cause === undefined ? { retryable } : { retryable, cause },
    );

  async function* respond(context: LlmContext, signal: AbortSignal): AsyncIterable<LlmEvent> {
    const messages = [
      ...(options.systemPrompt ? [{ role: 'system', content: options.systemPrompt }] : []),
      ...context.messages.map(toChatMessage),
    ];
    const headers: Record<string, string> = {
      ...traceContextHeaders(),
      'content-type': 'application/json',
      accept: 'text/event-stream',
    };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        signal,
        body: JSON.stringify({
          model: options.model,
          messages,
          tools: TOOLS,
          stream: true,
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        }),
      });
    } catch (cause) {
      signal.throwIfAborted();
      throw fail('chat endpoint unreachable', true, cause);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw fail(
        `chat endpoint answered HTTP ${res.status}`,
        res.status >= 500 || res.status === 429,
      );
    }
    const tools = new Map<number, { name: string; args: string }>();
    let finished = false;
    try {
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') {
          finished = true;
          break;
        }
        let chunk: { choices?: ChunkChoice[] };
        try {
          chunk = JSON.parse(data) as typeof chunk;
        } catch (cause) {
          throw fail('chat endpoint sent malformed JSON', false, cause);
        }
        const choice = chunk.choices?.[0];
        const content = choice?.delta?.content;
        if (content) yield { type: 'text', delta: content };
        for (const call of choice?.delta?.tool_calls ?? []) {
          const t = tools.get(call.index ?? 0) ?? { name: '', args: '' };
          t.name += call.function?.name ?? '';
          t.args += call.function?.arguments ?? '';
          tools.set(call.index ?? 0, t);
        }
        if (choice?.finish_reason) finished = true;
      }
    } catch (cause) {
      signal.throwIfAborted();
      if (cause instanceof ProviderError) throw cause;
      throw fail('chat stream broke off', true, cause);
    }
    if (!finished) throw fail('chat stream ended before the reply was complete', true);
    for (const t of tools.values()) {
      if (t.name !== 'hangup' && t.name !== 'transfer') continue;
      yield { type: 'tool', name: t.name, args: parseArgs(t.args) };
    }
  }

  return { name: 'openai', respond, close: () => Promise.resolve() };
}
