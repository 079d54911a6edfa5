// One trace span per reconcile: `reconcile <Kind>` with what was reconciled, how it ended (ok,
// requeue, error), how many API writes it made and how long its key waited in the work queue.
// Only wrapped around a queue's handler when tracing is on: off, a reconcile pays nothing.
import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { countingApiWrites } from './api-writes.js';
import { describeError } from './log.js';
import type { KeyHandler } from './work-queue.js';

/** What a queue key names: the kind, and the namespace (none for cluster-wide work) and name. */
export interface ReconcileTarget {
  kind: string;
  namespace?: string;
  name: string;
}

export const RECONCILE_ATTRIBUTES = {
  kind: 'voicefleet.reconcile.kind',
  namespace: 'voicefleet.reconcile.namespace',
  name: 'voicefleet.reconcile.name',
  result: 'voicefleet.reconcile.result',
  apiWrites: 'voicefleet.reconcile.api_writes',
  queueWaitMs: 'voicefleet.reconcile.queue_wait_ms',
  requeueAfterMs: 'voicefleet.reconcile.requeue_after_ms',
} as const;

export function tracedReconcile(
  tracer: Tracer,
  targetOf: (key: string) => ReconcileTarget,
  handler: KeyHandler,
): KeyHandler {
  const a = RECONCILE_ATTRIBUTES;
  return (key, signal, info) => {
    const target = targetOf(key);
    const attributes = {
      [a.kind]: target.kind,
      ...(target.namespace !== undefined ? { [a.namespace]: target.namespace } : {}),
      [a.name]: target.name,
      [a.queueWaitMs]: info.queueWaitMs,
    };
    return tracer.startActiveSpan(`reconcile ${target.kind}`, { attributes }, (span) =>
      countingApiWrites(async (count) => {
        try {
          const result = await handler(key, signal, info);
          const requeueAfterMs = result?.requeueAfterMs;
          span.setAttribute(a.result, requeueAfterMs === undefined ? 'ok' : 'requeue');
          if (requeueAfterMs !== undefined) span.setAttribute(a.requeueAfterMs, requeueAfterMs);
          return result;
        } catch (error) {
          span.setAttribute(a.result, 'error');
          // The message chain only (no response bodies, which may echo secrets).
          const message = describeError(error);
          span.recordException({ name: error instanceof Error ? error.name : 'Error', message });
          span.setStatus({ code: SpanStatusCode.ERROR, message });
          throw error;
        } finally {
          span.setAttribute(a.apiWrites, count.writes);
          span.end();
        }
      }),
    );
  };
}
