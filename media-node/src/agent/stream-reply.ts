/**
 * One reply's work outside the state machine: stream the LLM reply sentence by sentence into the
 * TTS (retrying a retryable LLM failure once before any text), and the apology when a provider
 * failed for good (fallback TTS, then pre-rendered audio — never silence).
 */
import { AsyncQueue } from '../providers/async-queue.js';
import { asProviderError, isAbortError, type ProviderError } from '../providers/provider-error.js';
import type {
  ConversationMessage,
  LlmProvider,
  ToolName,
  TtsProvider,
} from '../providers/types.js';
import { SentenceChunker } from './sentence-chunker.js';
import { apologyTone, type SpeechOutput } from './speech-output.js';

/** A provider failure tagged with the stage it happened in. */
export class StageFailure extends Error {
  constructor(
    readonly stage: 'llm' | 'tts',
    readonly error: ProviderError,
  ) {
    super(`${stage} failed`, { cause: error });
  }
}

export interface StreamReplyInput {
  llm: LlmProvider;
  tts: TtsProvider;
  messages: readonly ConversationMessage[];
  out: SpeechOutput;
  signal: AbortSignal;
  onFirstToken: () => void;
  onText: (delta: string) => void;
  /** A retryable LLM failure that is being retried. */
  onRetry: (error: ProviderError) => void;
}

/** Returns the action the LLM asked for; throws `StageFailure` or the abort. */
export async function streamReply(i: StreamReplyInput): Promise<ToolName | undefined> {
  for (let attempt = 0; ; attempt++) {
    let gotText = false;
    let action: ToolName | undefined;
    const sentences = new AsyncQueue<string>();
    const speaker = (async () => {
      for await (const s of sentences) await i.out.speak(i.tts, s);
    })();
    speaker.catch(() => undefined);
    try {
      const chunker = new SentenceChunker();
      for await (const ev of i.llm.respond({ messages: [...i.messages] }, i.signal)) {
        if (ev.type === 'tool') {
          action = ev.name;
          continue;
        }
        if (!gotText) i.onFirstToken();
        gotText = true;
        i.onText(ev.delta);
        for (const s of chunker.push(ev.delta)) sentences.push(s);
      }
      const rest = chunker.flush();
      if (rest) sentences.push(rest);
      sentences.end();
    } catch (err) {
      sentences.end();
      if (i.signal.aborted || isAbortError(err)) throw err;
      const error = asProviderError(i.llm.name, err);
      await speaker.catch(() => undefined);
      if (attempt === 0 && error.retryable && !gotText) {
        i.onRetry(error);
        continue;
      }
      throw new StageFailure('llm', error);
    }
    try {
      await speaker;
    } catch (err) {
      throw new StageFailure('tts', asProviderError(i.tts.name, err));
    }
    return action;
  }
}

/** Says `text` with whichever TTS still works, else plays `audio`; returns what was said. */
export async function apologize(
  out: SpeechOutput,
  text: string,
  candidates: readonly (TtsProvider | undefined)[],
  audio: Int16Array | undefined,
): Promise<string> {
  for (const tts of candidates) {
    if (!tts) continue;
    const before = out.framesWritten;
    try {
      await out.speak(tts, text);
      if (out.framesWritten > before) return text;
    } catch {
      // try the next one
    }
  }
  out.play(audio ?? apologyTone());
  return '';
}
