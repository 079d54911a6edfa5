// Every write the operator sends to the API server is counted here: in the process-wide
// `voicefleet_operator_api_writes_total`, and in the reconcile it belongs to (async context), so
// that reconcile's trace span says how many writes it made.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { OperatorMetrics } from './metrics.js';

export interface ApiWriteCount {
  writes: number;
}

const current = new AsyncLocalStorage<ApiWriteCount>();

export function recordApiWrite(
  metrics: OperatorMetrics,
  labels: { verb: 'apply' | 'apply-status' | 'patch' | 'create'; kind: string },
): void {
  metrics.apiWrites.inc(labels);
  const count = current.getStore();
  if (count !== undefined) count.writes += 1;
}

/** Runs `fn` with a fresh count of the API writes made inside it (and in what it awaits). */
export function countingApiWrites<T>(fn: (count: ApiWriteCount) => Promise<T>): Promise<T> {
  const count: ApiWriteCount = { writes: 0 };
  return current.run(count, () => fn(count));
}
