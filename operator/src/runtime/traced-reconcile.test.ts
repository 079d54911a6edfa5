import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { splitKey } from '../kube/store.js';
import { recordApiWrite } from './api-writes.js';
import { createOperatorMetrics } from './metrics.js';
import { tracedReconcile } from './traced-reconcile.js';
import type { KeyHandler } from './work-queue.js';

function traced(handler: KeyHandler) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reconcile = tracedReconcile(
    provider.getTracer('test'),
    (key) => ({ kind: 'VoiceAgent', ...splitKey(key) }),
    handler,
  );
  const spanOf = (name: string) => {
    const span = exporter
      .getFinishedSpans()
      .find((s) => s.attributes['voicefleet.reconcile.name'] === name);
    assert.ok(span, `a span for ${name}`);
    return span;
  };
  return { reconcile, spanOf };
}

const signal = new AbortController().signal;
const metrics = createOperatorMetrics({ defaultMetrics: false });

test('each of two concurrent reconciles counts only its own API writes', async () => {
  const writesOf: Record<string, number> = { 'prod/front-desk': 3, 'prod/billing': 1 };
  const { reconcile, spanOf } = traced(async (key) => {
    for (let i = 0; i < (writesOf[key] ?? 0); i++) {
      await tick(); // interleaved with the other reconcile
      recordApiWrite(metrics, { verb: 'apply', kind: 'Deployment' });
    }
    return key === 'prod/billing' ? { requeueAfterMs: 30_000 } : undefined;
  });
  await Promise.all([
    reconcile('prod/front-desk', signal, { queueWaitMs: 12 }),
    reconcile('prod/billing', signal, { queueWaitMs: 0 }),
  ]);
  const desk = spanOf('front-desk');
  assert.equal(desk.name, 'reconcile VoiceAgent');
  assert.deepEqual(desk.attributes, {
    'voicefleet.reconcile.kind': 'VoiceAgent',
    'voicefleet.reconcile.namespace': 'prod',
    'voicefleet.reconcile.name': 'front-desk',
    'voicefleet.reconcile.queue_wait_ms': 12,
    'voicefleet.reconcile.result': 'ok',
    'voicefleet.reconcile.api_writes': 3,
  });
  const billing = spanOf('billing');
  assert.equal(billing.attributes['voicefleet.reconcile.result'], 'requeue');
  assert.equal(billing.attributes['voicefleet.reconcile.requeue_after_ms'], 30_000);
  assert.equal(billing.attributes['voicefleet.reconcile.api_writes'], 1);
});

test('a reconcile that throws ends its span as an error with the cause, and still throws', async () => {
  const { reconcile, spanOf } = traced(() => {
    recordApiWrite(metrics, { verb: 'apply', kind: 'ConfigMap' });
    return Promise.reject(
      new Error('apply Deployment prod/front-desk', { cause: new Error('connection refused') }),
    );
  });
  await assert.rejects(
    reconcile('prod/front-desk', signal, { queueWaitMs: 0 }),
    /apply Deployment/,
  );
  const span = spanOf('front-desk');
  assert.equal(span.attributes['voicefleet.reconcile.result'], 'error');
  assert.equal(span.attributes['voicefleet.reconcile.api_writes'], 1);
  assert.deepEqual(span.status, {
    code: SpanStatusCode.ERROR,
    message: 'apply Deployment prod/front-desk: connection refused',
  });
  assert.equal(span.events[0]?.name, 'exception');
});
