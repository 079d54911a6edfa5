// The one way to wait in tests and tools: poll a predicate until it holds, with a deadline and a
// message that says what was awaited.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between polls (default 50 ms). */
  intervalMs?: number;
  /** What was awaited, for the timeout error. */
  message?: string;
  signal?: AbortSignal;
}

type Falsy = false | null | undefined | 0 | '';

/**
 * Polls `predicate` until it returns a truthy value and resolves to that value. A predicate that
 * throws counts as "not yet"; its last error becomes the cause of the timeout error.
 */
export async function waitFor<T>(
  predicate: () => T | Falsy | Promise<T | Falsy>,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, message = 'condition', signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`, {
        cause: lastError,
      });
    }
    await sleep(intervalMs);
  }
}
