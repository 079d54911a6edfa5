/**
 * The media node's Prometheus metrics (prefix `voicefleet_`). Histogram buckets include the
 * usual SLO thresholds so that `le` series exist for every objective a VoiceAgent can state.
 */
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type Metric,
} from 'prom-client';
import type { DeviationHistogram } from '../rtp/deviation-histogram.js';

/** Seconds; includes 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3 (turn latency and call setup SLOs). */
export const LATENCY_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
];
/** Milliseconds of deviation of an RTP send from its ideal 20 ms slot. */
export const PACING_BUCKETS_MS = [0.5, 1, 2, 3, 5, 10, 20, 50];

export type TurnStage = 'stt' | 'llm' | 'tts' | 'rtp' | 'total';
export type CallOutcome = 'completed' | 'rejected' | 'failed' | 'cancelled' | 'transferred';

export interface NodeMetrics {
  registry: Registry;
  activeCalls: Gauge;
  capacity: Gauge;
  draining: Gauge;
  callsTotal: Counter<'direction' | 'outcome'>;
  sipResponses: Counter<'method' | 'code'>;
  callSetupSeconds: Histogram;
  turnStageSeconds: Histogram<'stage'>;
  bargeInSeconds: Histogram;
  rtpPacketsSent: Counter;
  rtpPacketsReceived: Counter;
  rtpPacketsLost: Counter;
  rtpJitterMs: Gauge;
  pacingDeviationMs: PacingDeviationMetric;
  providerErrors: Counter<'kind' | 'provider'>;
}

export function createNodeMetrics(options: { defaultMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'voicefleet_media_node_' });
  const registers = [registry];
  return {
    registry,
    activeCalls: new Gauge({
      name: 'voicefleet_active_calls',
      help: 'Calls in progress on this node',
      registers,
    }),
    capacity: new Gauge({
      name: 'voicefleet_capacity_calls',
      help: 'Concurrent calls this node takes',
      registers,
    }),
    draining: new Gauge({
      name: 'voicefleet_draining',
      help: '1 while the node drains',
      registers,
    }),
    callsTotal: new Counter({
      name: 'voicefleet_calls_total',
      help: 'Calls by direction and outcome',
      labelNames: ['direction', 'outcome'],
      registers,
    }),
    sipResponses: new Counter({
      name: 'voicefleet_sip_responses_total',
      help: 'SIP final responses sent, by request method and status code',
      labelNames: ['method', 'code'],
      registers,
    }),
    callSetupSeconds: new Histogram({
      name: 'voicefleet_call_setup_seconds',
      help: 'INVITE received to 200 OK sent',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    turnStageSeconds: new Histogram({
      name: 'voicefleet_turn_stage_seconds',
      help: 'Per-turn latency by stage (stt: end of speech to final transcript, llm: to first token, tts: to first audio, rtp: to first packet out, total: end of speech to first packet)',
      labelNames: ['stage'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    bargeInSeconds: new Histogram({
      name: 'voicefleet_barge_in_seconds',
      help: 'Caller speech onset to agent playback stopped',
      buckets: [0.01, 0.02, 0.04, 0.06, 0.1, 0.2, 0.5, 1],
      registers,
    }),
    rtpPacketsSent: new Counter({
      name: 'voicefleet_rtp_packets_sent_total',
      help: 'RTP packets sent',
      registers,
    }),
    rtpPacketsReceived: new Counter({
      name: 'voicefleet_rtp_packets_received_total',
      help: 'RTP packets received',
      registers,
    }),
    rtpPacketsLost: new Counter({
      name: 'voicefleet_rtp_packets_lost_total',
      help: 'RTP packets lost (sequence gaps)',
      registers,
    }),
    rtpJitterMs: new Gauge({
      name: 'voicefleet_rtp_jitter_ms',
      help: 'Highest interarrival jitter among active calls (RFC 3550), milliseconds',
      registers,
    }),
    pacingDeviationMs: new PacingDeviationMetric(registry),
    providerErrors: new Counter({
      name: 'voicefleet_provider_errors_total',
      help: 'Speech / LLM provider errors',
      labelNames: ['kind', 'provider'],
      registers,
    }),
  };
}

interface SampleValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * `voicefleet_rtp_pacing_deviation_ms`, a histogram read at scrape time from the RTP engine's
 * DeviationHistogram: the sends happen on the engine's worker thread, which counts every deviation
 * in shared memory, so nothing crosses threads per packet.
 */
export class PacingDeviationMetric {
  readonly name = 'voicefleet_rtp_pacing_deviation_ms';
  readonly help = 'Deviation of each RTP send from its ideal 20 ms slot, milliseconds';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** The engine's histogram; the metric reports zero counts until it is set. */
  source: DeviationHistogram | undefined;

  constructor(registry: Registry) {
    // The registry reads a metric through name, help, type and get(); prom-client's own types
    // only list its built-in classes.
    registry.registerMetric(this as unknown as Metric);
  }

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: SampleValue[];
  }> {
    const below = this.source?.cumulativeBelow(PACING_BUCKETS_MS) ?? PACING_BUCKETS_MS.map(() => 0);
    const count = this.source?.snapshot().samples ?? 0;
    const bucket = `${this.name}_bucket`;
    const values: SampleValue[] = [
      ...PACING_BUCKETS_MS.map((le, i) => ({
        metricName: bucket,
        labels: { le },
        value: below[i] ?? 0,
      })),
      { metricName: bucket, labels: { le: '+Inf' }, value: count },
      { metricName: `${this.name}_sum`, labels: {}, value: this.source?.sumMs ?? 0 },
      { metricName: `${this.name}_count`, labels: {}, value: count },
    ];
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  reset(): void {
    // Counts live in the engine; a registry reset does not rewind them.
  }
}
