/**
 * Every Prometheus metric of the media node (prefix `voicefleet_`), in one place: the event
 * loop's (createNodeMetrics) and the RTP thread's (createRtpThreadMetrics, on a registry of the
 * thread's own whose text the node appends to its /metrics). Histogram buckets include the usual
 * SLO thresholds so that `le` series exist for every objective a VoiceAgent can state.
 */
import { LATENCY_BUCKETS_MS } from '@voicefleet/api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallQuality } from '../quality/call-quality.js';

/**
 * Seconds: the API's LATENCY_BUCKETS_MS, the only values a VoiceAgent may state as a turn-latency
 * or call-setup SLO threshold, so every threshold has its `le` series.
 */
export const LATENCY_BUCKETS_SECONDS = LATENCY_BUCKETS_MS.map((ms) => ms / 1000);
/** Milliseconds of deviation of an RTP send from its ideal 20 ms slot (the RTP thread's metric). */
export const PACING_BUCKETS_MS = [0.5, 1, 2, 3, 5, 10, 20, 50];

export const TURN_STAGES = ['stt', 'llm', 'tts', 'rtp', 'total'] as const;
export type TurnStage = (typeof TURN_STAGES)[number];
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
  preparedReplies: Counter<'outcome'>;
  bargeIns: Counter<'outcome'>;
  rtpPacketsSent: Counter;
  rtpPacketsReceived: Counter;
  rtpPacketsLost: Counter;
  providerErrors: Counter<'kind' | 'provider'>;
  callMos: Histogram;
  callJitterSeconds: Histogram;
  callPacketLossRatio: Histogram;
  callRttSeconds: Histogram;
}

/**
 * Labels on every series of a node: the agent it serves and its region. A node serves one agent,
 * so they cost no cardinality, and an SRE slices every metric by agent and region without joins.
 */
export interface NodeLabels {
  namespace: string;
  agent: string;
  region: string;
}

export function createNodeMetrics(
  options: { defaultMetrics?: boolean; labels?: NodeLabels } = {},
): NodeMetrics {
  const registry = new Registry();
  if (options.labels) registry.setDefaultLabels({ ...options.labels });
  if (options.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'voicefleet_media_node_' });
  const registers = [registry];
  const turnStageSeconds = new Histogram({
    name: 'voicefleet_turn_stage_seconds',
    help: 'Per-turn latency by stage (stt: end of speech to final transcript, llm: to first token, tts: to first audio, rtp: to first packet out, total: end of speech to first packet)',
    labelNames: ['stage'],
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  // Every stage's series exists at 0 from the start: rate() counts a series' first sample as its
  // start, so a stage first seen at 1 would lose the node's first turn from every SLO window.
  for (const stage of TURN_STAGES) turnStageSeconds.zero({ stage });
  const preparedReplies = new Counter({
    name: 'voicefleet_agent_prepared_replies_total',
    help: 'Replies prepared during a caller pause: released at the end of turn, or dropped because the caller went on (each dropped one cost an LLM and TTS request)',
    labelNames: ['outcome'],
    registers,
  });
  // Both outcomes exist at 0 from the start: a node that never prepared a reply reads 0, not
  // "no data" (which also is what a node that is not scraped shows).
  for (const outcome of ['released', 'dropped']) preparedReplies.inc({ outcome }, 0);
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
    turnStageSeconds,
    bargeInSeconds: new Histogram({
      name: 'voicefleet_barge_in_seconds',
      help: 'Caller speech onset to agent playback stopped (paused at the onset), for barge-ins that interrupted the agent',
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
    preparedReplies,
    bargeIns: new Counter({
      name: 'voicefleet_agent_barge_ins_total',
      help: 'Caller speech over the agent that paused it: committed (it lasted bargeIn.minSpeechMs and interrupted the agent; DTMF keys too) or resumed (too short: noise, a short word; the agent went on where it paused)',
      labelNames: ['outcome'],
      registers,
    }),
    providerErrors: new Counter({
      name: 'voicefleet_provider_errors_total',
      help: 'Speech / LLM provider errors',
      labelNames: ['kind', 'provider'],
      registers,
    }),
    callMos: new Histogram({
      name: 'voicefleet_call_mos',
      help: 'Estimated MOS of each ended call (ITU-T G.107 E-model from delay and loss), 1 to 4.5',
      buckets: [1, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.4],
      registers,
    }),
    callJitterSeconds: new Histogram({
      name: 'voicefleet_call_jitter_seconds',
      help: 'RFC 3550 interarrival jitter of the caller audio at the end of each call',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1],
      registers,
    }),
    callPacketLossRatio: new Histogram({
      name: 'voicefleet_call_packet_loss_ratio',
      help: 'Share of the caller RTP packets lost over each call',
      buckets: [0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2],
      registers,
    }),
    callRttSeconds: new Histogram({
      name: 'voicefleet_call_rtt_seconds',
      help: 'RTCP round-trip time to the far end at the end of each call (calls whose far end sends receiver reports)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers,
    }),
  };
}

/** Observes an ended call's quality in the per-call histograms. */
export function observeQuality(metrics: NodeMetrics, q: CallQuality): void {
  metrics.callMos.observe(q.mos);
  metrics.callJitterSeconds.observe(q.jitterMs / 1000);
  metrics.callPacketLossRatio.observe(q.lossRatio);
  if (q.rttMs !== undefined) metrics.callRttSeconds.observe(q.rttMs / 1000);
}

export interface RtpThreadMetrics {
  registry: Registry;
  /** Every send's deviation from its 20 ms slot (the scheduler's observeDeviation). */
  pacingDeviation: Histogram;
}

/**
 * The RTP thread's metrics, created on the thread: `jitterMs` reads the highest interarrival
 * jitter among the thread's calls at each scrape.
 */
export function createRtpThreadMetrics(jitterMs: () => number): RtpThreadMetrics {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: 'voicefleet_rtp_jitter_ms',
    help: 'Highest interarrival jitter among active calls (RFC 3550), milliseconds',
    registers,
    collect() {
      this.set(jitterMs());
    },
  });
  return {
    registry,
    pacingDeviation: new Histogram({
      name: 'voicefleet_rtp_pacing_deviation_ms',
      help: 'Deviation of each RTP send from its ideal 20 ms slot, milliseconds',
      buckets: PACING_BUCKETS_MS,
      registers,
    }),
  };
}
