/** Exponential backoff: `baseMs * 2^(attempt-1)`, capped; attempt 1 is the first retry. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const RECONCILE_BACKOFF: BackoffPolicy = { baseMs: 5, capMs: 30_000 };
export const WATCH_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 10_000 };

export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  if (attempt <= 0) return 0;
  // 2^31 is far past any cap; avoids Infinity for absurd attempt counts.
  const exponent = Math.min(attempt - 1, 31);
  return Math.min(policy.baseMs * 2 ** exponent, policy.capMs);
}

/** Spreads retries of many clients: a delay in [delay/2, delay], from a random in [0, 1). */
export function withJitter(delayMs: number, random: number): number {
  return Math.round(delayMs / 2 + (delayMs / 2) * random);
}
