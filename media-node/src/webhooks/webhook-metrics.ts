// The webhook metrics of a media node, on its registry (telemetry/metrics.ts holds the rest).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WebhookMetrics {
  deliveries: Counter<'webhook' | 'outcome'>;
  dropped: Counter<'webhook'>;
  queueDepth: Gauge<'webhook'>;
  deliverySeconds: Histogram<'webhook'>;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const registers = [registry];
  return {
    deliveries: new Counter({
      name: 'voicefleet_webhook_deliveries_total',
      help: 'Webhook POST attempts by outcome (delivered: a 2xx; failed: anything else, retried)',
      labelNames: ['webhook', 'outcome'],
      registers,
    }),
    dropped: new Counter({
      name: 'voicefleet_webhook_dropped_total',
      help: 'Webhook events dropped because the queue of their webhook was full',
      labelNames: ['webhook'],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'voicefleet_webhook_queue_depth',
      help: 'Webhook events waiting for delivery',
      labelNames: ['webhook'],
      registers,
    }),
    deliverySeconds: new Histogram({
      name: 'voicefleet_webhook_delivery_seconds',
      help: 'Event published to its webhook answering 2xx, retries included',
      labelNames: ['webhook'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}
