// The operator's Prometheus metrics (prom-client), one registry per process so tests and the
// benchmark can read exact values. Names follow `voicefleet_operator_*`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  reconcileDuration: Histogram<'controller'>;
  queueDepth: Gauge<'controller'>;
  apiWrites: Counter<'verb' | 'kind'>;
  applySkipped: Counter<'kind'>;
  isLeader: Gauge;
}

export function createOperatorMetrics(options: { defaultMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'voicefleet_operator_' });
  return {
    registry,
    reconcileTotal: new Counter({
      name: 'voicefleet_operator_reconcile_total',
      help: 'Reconcile passes by controller and result (success, error).',
      labelNames: ['controller', 'result'],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'voicefleet_operator_reconcile_errors_total',
      help: 'Reconcile passes that failed and were retried with backoff.',
      labelNames: ['controller'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'voicefleet_operator_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass.',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'voicefleet_operator_queue_depth',
      help: 'Keys waiting in the work queue.',
      labelNames: ['controller'],
      registers: [registry],
    }),
    apiWrites: new Counter({
      name: 'voicefleet_operator_api_writes_total',
      help: 'Write requests the operator sent to the API server (apply, create, patch, delete).',
      labelNames: ['verb', 'kind'],
      registers: [registry],
    }),
    applySkipped: new Counter({
      name: 'voicefleet_operator_apply_skipped_total',
      help: 'Applies skipped because the live object already held the desired fields.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    isLeader: new Gauge({
      name: 'voicefleet_operator_leader',
      help: '1 while this instance holds the leader lease.',
      registers: [registry],
    }),
  };
}
