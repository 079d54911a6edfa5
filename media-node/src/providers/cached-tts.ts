/**
 * A TTS that keeps what it said, for texts it says again and again: the node's apologies are a
 * couple of fixed prompts, and a provider outage makes every call apologise at once, through
 * espeak-ng, one process per call on the node's core. The first synthesis of a text streams as
 * it comes and is kept once it completed; a request for a text being synthesised waits for that
 * one rather than starting another; later requests replay the kept audio. A synthesis that fails
 * or is aborted keeps nothing. The oldest text goes when `maxTexts` are kept.
 */
import type { TtsProvider } from './types.js';

export function cachedTts(inner: TtsProvider, maxTexts = 8): TtsProvider {
  const kept = new Map<string, readonly Int16Array[]>();
  const inFlight = new Map<string, Promise<void>>();

  function keep(text: string, chunks: Int16Array[]): void {
    if (kept.size >= maxTexts) kept.delete(kept.keys().next().value!);
    kept.set(text, chunks);
  }

  return {
    name: inner.name,
    async *synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array> {
      const running = inFlight.get(text);
      if (running && !kept.has(text)) await running;
      if (signal.aborted) return;
      const hit = kept.get(text);
      if (hit) {
        // copies: a listener may write into what it is handed
        for (const chunk of hit) yield chunk.slice();
        return;
      }
      let settle = (): void => undefined;
      inFlight.set(text, new Promise<void>((resolve) => (settle = resolve)));
      const chunks: Int16Array[] = [];
      let complete = false;
      try {
        for await (const chunk of inner.synthesize(text, signal)) {
          chunks.push(chunk.slice());
          yield chunk;
        }
        complete = true;
      } finally {
        if (complete && !signal.aborted) keep(text, chunks);
        inFlight.delete(text);
        settle();
      }
    },
    close: () => inner.close(),
  };
}
