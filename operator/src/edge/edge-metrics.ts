// The edge sync's Prometheus metrics, registered once per registry: destination health as each
// Kamailio reports it in `dispatcher.list` (a destination up from the start never emits a
// Kamailio up-event, so this poll is the complete view) and sync pass outcomes.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DestinationHealth } from './actual-state.js';

export interface EdgeMetrics {
  observe(edge: string, health: readonly DestinationHealth[]): void;
  pass(edge: string, result: 'ok' | 'error', applied: number): void;
}

export function createEdgeMetrics(registry: Registry): EdgeMetrics {
  const up =
    (registry.getSingleMetric('voicefleet_operator_edge_destination_up') as
      Gauge<'edge' | 'set' | 'uri'> | undefined) ??
    new Gauge({
      name: 'voicefleet_operator_edge_destination_up',
      help: 'Kamailio dispatcher destination usable (1: active or trying) or not (0: inactive or disabled), per edge.',
      labelNames: ['edge', 'set', 'uri'],
      registers: [registry],
    });
  const passes =
    (registry.getSingleMetric('voicefleet_operator_edge_sync_passes_total') as
      Counter<'edge' | 'result'> | undefined) ??
    new Counter({
      name: 'voicefleet_operator_edge_sync_passes_total',
      help: 'Edge sync passes per Kamailio by result.',
      labelNames: ['edge', 'result'],
      registers: [registry],
    });
  const ops =
    (registry.getSingleMetric('voicefleet_operator_edge_ops_total') as
      Counter<'edge'> | undefined) ??
    new Counter({
      name: 'voicefleet_operator_edge_ops_total',
      help: 'JSON-RPC changes applied to each Kamailio.',
      labelNames: ['edge'],
      registers: [registry],
    });
  return {
    observe(edge, health) {
      up.reset();
      for (const h of health)
        up.set({ edge, set: String(h.set), uri: h.uri }, h.flag === 'A' || h.flag === 'T' ? 1 : 0);
    },
    pass(edge, result, applied) {
      passes.inc({ edge, result });
      if (applied > 0) ops.inc({ edge }, applied);
    },
  };
}
