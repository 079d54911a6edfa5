/**
 * `grpc` LLM provider: a remote agent brain over `AgentBrain.Converse`. One stream per caller
 * turn carries the conversation so far; the reply comes back as text deltas and tool calls.
 */
import type * as grpc from '@grpc/grpc-js';
import { AsyncQueue } from '../async-queue.js';
import type { LlmContext, LlmEvent, LlmProvider } from '../types.js';
import { callMetadata, grpcError, makeClientPool, type GrpcClientOptions } from './grpc-client.js';
import {
  loadProviderServices,
  type ConverseRequestMsg,
  type ConverseResponseMsg,
} from './proto.js';
import { ProviderError } from '../provider-error.js';

export interface GrpcLlmOptions extends GrpcClientOptions {
  systemPrompt?: string;
}

function parseArgs(json: string): Record<string, unknown> {
  try {
    const v: unknown = json ? JSON.parse(json) : {};
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function createGrpcLlm(options: GrpcLlmOptions): LlmProvider {
  const pool = makeClientPool(loadProviderServices().AgentBrain, options, 'pipeline.llm.endpoint');
  type Converse = (
    md: grpc.Metadata,
  ) => grpc.ClientDuplexStream<ConverseRequestMsg, ConverseResponseMsg>;
  const converse: Converse = (md) =>
    (pool.pick() as unknown as { Converse: Converse }).Converse(md);

  async function* respond(context: LlmContext, signal: AbortSignal): AsyncIterable<LlmEvent> {
    signal.throwIfAborted();
    const events = new AsyncQueue<LlmEvent>();
    const call = converse(callMetadata(options));
    let complete = false;
    call.on('data', (msg: ConverseResponseMsg) => {
      if (msg.response === 'text_delta' && msg.text_delta)
        events.push({ type: 'text', delta: msg.text_delta });
      else if (
        msg.response === 'tool' &&
        msg.tool &&
        (msg.tool.name === 'hangup' || msg.tool.name === 'transfer')
      ) {
        events.push({ type: 'tool', name: msg.tool.name, args: parseArgs(msg.tool.args_json) });
      } else if (msg.response === 'end_of_reply') {
        complete = true;
        events.end();
        call.end();
      }
    });
    call.on('error', (err) =>
      signal.aborted || complete ? events.end() : events.fail(grpcError('grpc-llm', err)),
    );
    call.on('end', () => {
      if (!complete)
        events.fail(
          new ProviderError('grpc-llm', 'brain closed the stream mid-reply', { retryable: true }),
        );
    });
    const cancel = (): void => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    call.write({
      turn: {
        call_id: '',
        system_prompt: options.systemPrompt ?? '',
        messages: context.messages.map((m) => ({
          role: m.role,
          text: m.text,
          source: m.source ?? 'speech',
        })),
      },
    });
    try {
      for await (const ev of events) yield ev;
      signal.throwIfAborted();
    } finally {
      signal.removeEventListener('abort', cancel);
      if (!complete) call.cancel();
    }
  }

  return { name: 'grpc-llm', respond, close: () => Promise.resolve(pool.close()) };
}
