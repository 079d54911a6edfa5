/**
 * `scripted` LLM provider: answers with the scripted dialogue policy and streams the reply word by
 * word like a real model, then emits the intent's action as a tool call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DialogueScript } from '../pipeline-config.js';
import { ProviderError } from '../provider-error.js';
import type { LlmContext, LlmEvent, LlmProvider } from '../types.js';
import { decideReply, replayDialogue, validateScript } from './dialogue-policy.js';

export interface ScriptedLlmOptions {
  script: DialogueScript;
  /** Pause before each streamed word (0 still yields between words). */
  tokenDelayMs?: number;
  /** Pause before the first word, like a model's time to first token. */
  firstTokenDelayMs?: number;
}

export function createScriptedLlm(options: ScriptedLlmOptions): LlmProvider {
  const problems = validateScript(options.script);
  if (problems.length > 0) {
    throw new Error(`pipeline.llm.script is invalid: ${problems.join('; ')}`);
  }
  const { script, tokenDelayMs = 0, firstTokenDelayMs = 0 } = options;

  async function* respond(context: LlmContext, signal: AbortSignal): AsyncIterable<LlmEvent> {
    const caller = context.messages.filter((m) => m.role === 'caller').map((m) => m.text);
    const last = caller.pop();
    if (last === undefined) {
      throw new ProviderError('scripted', 'no caller turn to answer', { retryable: false });
    }
    const decision = decideReply(script, replayDialogue(script, caller), last);
    await sleep(firstTokenDelayMs, undefined, { signal });
    const words = decision.reply.split(/(?<=\s)/);
    for (const [i, word] of words.entries()) {
      if (i > 0) await sleep(tokenDelayMs, undefined, { signal });
      yield { type: 'text', delta: word };
    }
    if (decision.action) yield { type: 'tool', name: decision.action, args: {} };
  }

  return {
    name: 'scripted',
    respond,
    close: () => Promise.resolve(),
  };
}
