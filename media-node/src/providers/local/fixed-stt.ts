/**
 * `fake` STT provider for tests and demos: each utterance's final result is the next transcript of
 * a fixed list, emitted when the utterance ends (after an optional delay, like a real recogniser).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncQueue } from '../async-queue.js';
import type { SttProvider, SttResult, SttStream } from '../types.js';

export interface FixedSttOptions {
  transcripts: readonly string[];
  /** Delay between `end()` and the final result. */
  finalDelayMs?: number;
}

export function createFixedStt(options: FixedSttOptions): SttProvider {
  let next = 0;
  const delayMs = options.finalDelayMs ?? 0;
  return {
    name: 'fake',
    stream(signal: AbortSignal): SttStream {
      const results = new AsyncQueue<SttResult>();
      let frames = 0;
      const finish = async (): Promise<void> => {
        try {
          await sleep(delayMs, undefined, { signal });
          const text = options.transcripts[next++ % Math.max(1, options.transcripts.length)] ?? '';
          results.push({ text: frames > 0 ? text : '', final: true, confidence: 1 });
          results.end();
        } catch {
          results.end();
        }
      };
      return {
        write: () => void frames++,
        end: () => {
          if (results.ended) return;
          void finish();
        },
        results,
      };
    },
    close: () => Promise.resolve(),
  };
}
