// One VoiceAgent: its SLOs (budget left, burn per window, the SLIs against their targets), where
// a turn's time goes stage by stage, and its calls, pods and providers.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE, buildDashboard, quantile, type PanelSpec } from './panel.js';

const F = 'namespace=~"$namespace",agent=~"$agent",region=~"$region"';
const SLO_F = 'namespace=~"$namespace",agent=~"$agent"';
const QUANTILES = [0.5, 0.95, 0.99] as const;

function burnPanel(slo: string, what: string): PanelSpec {
  return {
    title: `Burn rate: ${what}`,
    description: `How fast the ${what} SLO spends its error budget over each alert window: 1x spends exactly the budget over the budget window. Page alerts fire at 14.4x over the 1h and 5m windows or 6x over 6h and 30m; tickets at 3x over 1d and 2h or 1x over 3d and 6h (windows scale with spec.slo.windowDays).`,
    unit: 'suffix:x',
    min: 0,
    span: 8,
    queries: [
      { expr: `voicefleet_slo:burn_rate{${F},slo="${slo}"}`, legend: '{{window}} {{region}}' },
    ],
  };
}

function turnQuantilePanel(q: number): PanelSpec {
  const p = `p${Math.round(q * 100)}`;
  return {
    title: `Turn latency by stage, ${p}`,
    description: `${p} of each stage of a turn, each stage's own duration: stt (end of the caller's speech to the final transcript), llm (to the first token), tts (to the first audio), rtp (to the first packet sent); total is the whole turn, the SLI. The SLO line is spec.slo.turnLatencyMs.`,
    unit: 's',
    min: 0,
    span: 8,
    queries: [
      {
        expr: quantile(q, 'voicefleet_turn_stage_seconds', F, ['stage']),
        legend: `{{stage}} ${p}`,
      },
      {
        expr: `max(voicefleet_slo:threshold_seconds{${SLO_F},slo="turn-latency"})`,
        legend: 'SLO',
      },
    ],
  };
}

/** A per-call quality histogram, p50 and p95. */
function qualityPanel(
  title: string,
  description: string,
  unit: string,
  histogram: string,
): PanelSpec {
  return {
    title,
    description,
    unit,
    min: 0,
    span: 6,
    queries: [0.5, 0.95].map((q) => ({
      expr: quantile(q, histogram, F, []),
      legend: `p${Math.round(q * 100)}`,
    })),
  };
}

export function agentDashboard(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'voicefleet-agent',
    title: 'voicefleet / agent',
    description:
      "One VoiceAgent: its SLOs and error budget, turn latency by stage, calls, media pods and providers. Pick the agent's namespace and name above.",
    variables: [
      {
        name: 'namespace',
        label: 'Namespace',
        query: 'label_values(voicefleet_capacity_calls, namespace)',
        multi: false,
      },
      {
        name: 'agent',
        label: 'Agent',
        query: 'label_values(voicefleet_capacity_calls{namespace=~"$namespace"}, agent)',
        multi: false,
      },
      {
        name: 'region',
        label: 'Region',
        query:
          'label_values(voicefleet_capacity_calls{namespace=~"$namespace",agent=~"$agent"}, region)',
        multi: true,
      },
    ],
    parts: [
      { row: 'Service-level objectives' },
      {
        title: 'Error budget remaining',
        description:
          "Share of each SLO's error budget left over the budget window (spec.slo.windowDays), per region. 100% means no bad event; at 0% the objective is met exactly; below 0 it is missed.",
        unit: 'percentunit',
        max: 1,
        queries: [
          {
            expr: `voicefleet_slo:error_budget_remaining{${F}}`,
            legend: '{{slo}} {{region}}',
          },
        ],
      },
      {
        title: 'Calls answered at the edge',
        description:
          'Share of the calls offered to this agent at the edge that were answered (2xx) rather than failed (5xx, 408, 480): the answer-success SLI. The dashed line is spec.slo.answerSuccessObjective.',
        unit: 'percentunit',
        max: 1,
        queries: [
          {
            expr: `sum by (region) (rate(voicefleet_edge_agent_calls_total{${F},code=~"2.."}[${RATE}])) / sum by (region) (rate(voicefleet_edge_agent_calls_total{${F},code=~"2..|5..|408|480"}[${RATE}]))`,
            legend: 'answered {{region}}',
          },
          {
            expr: `max(voicefleet_slo:objective{${SLO_F},slo="answer-success"})`,
            legend: 'SLO',
          },
        ],
      },
      burnPanel('turn-latency', 'turn latency'),
      burnPanel('call-setup', 'call setup'),
      burnPanel('answer-success', 'answer success'),
      { row: 'Turns' },
      ...QUANTILES.map(turnQuantilePanel),
      {
        title: 'Call setup',
        description:
          'INVITE received to 200 OK sent on the media node, p50/p95/p99. The SLO line is spec.slo.callSetupMs.',
        unit: 's',
        min: 0,
        span: 8,
        queries: [
          ...QUANTILES.map((q) => ({
            expr: quantile(q, 'voicefleet_call_setup_seconds', F, []),
            legend: `p${Math.round(q * 100)}`,
          })),
          {
            expr: `max(voicefleet_slo:threshold_seconds{${SLO_F},slo="call-setup"})`,
            legend: 'SLO',
          },
        ],
      },
      {
        title: 'Barge-in',
        description:
          "Caller speech onset to the agent's playback stopped, p50/p95/p99: how quickly the agent stops talking when interrupted.",
        unit: 's',
        min: 0,
        span: 8,
        queries: QUANTILES.map((q) => ({
          expr: quantile(q, 'voicefleet_barge_in_seconds', F, []),
          legend: `p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'Prepared replies',
        description:
          "Replies prepared during a caller's pause, per second: released at the end of the turn, or dropped because the caller went on (each dropped one cost an LLM and a TTS request).",
        unit: 'cps',
        min: 0,
        span: 8,
        queries: [
          {
            expr: `sum by (outcome) (rate(voicefleet_agent_prepared_replies_total{${F}}[${RATE}]))`,
            legend: '{{outcome}}',
          },
        ],
      },
      { row: 'Call quality' },
      {
        title: 'MOS',
        description:
          'Estimated MOS of the calls that ended (ITU-T G.107 E-model from one-way delay and packet loss, G.711): the median and the worst 5%. 4.3 and above is as good as G.711 gets; below 3.6 many callers are dissatisfied.',
        unit: 'none',
        min: 1,
        max: 4.5,
        span: 6,
        queries: [
          {
            expr: quantile(0.5, 'voicefleet_call_mos', F, []),
            legend: 'median',
          },
          {
            expr: quantile(0.05, 'voicefleet_call_mos', F, []),
            legend: 'worst 5%',
          },
        ],
      },
      qualityPanel(
        'Jitter',
        "RFC 3550 interarrival jitter of the callers' audio at the end of each call, p50 and p95. The jitter buffer absorbs a few tens of ms; more shows as gaps.",
        's',
        'voicefleet_call_jitter_seconds',
      ),
      qualityPanel(
        'Packet loss',
        "Share of the callers' RTP packets lost over each call, p50 and p95. 1% of random loss already costs G.711 about 18 points of R (MOS 4.4 -> 3.8).",
        'percentunit',
        'voicefleet_call_packet_loss_ratio',
      ),
      qualityPanel(
        'Round-trip time',
        'RTCP round-trip time to the far end (carrier or caller) at the end of each call, p50 and p95, for calls whose far end sends receiver reports. Above about 300 ms callers talk over each other.',
        's',
        'voicefleet_call_rtt_seconds',
      ),
      { row: 'Calls and media pods' },
      {
        title: 'Calls in progress and capacity',
        description:
          'Calls in progress on the media pods per region, against the calls those pods take (capacity.callsPerPod times ready pods). The operator scales the pool to keep capacity.bufferCalls free.',
        unit: 'short',
        min: 0,
        queries: [
          { expr: `sum by (region) (voicefleet_active_calls{${F}})`, legend: 'calls {{region}}' },
          {
            expr: `sum by (region) (voicefleet_capacity_calls{${F}})`,
            legend: 'capacity {{region}}',
          },
        ],
      },
      {
        title: 'Calls by outcome',
        description:
          'Calls ended per second by direction (inbound, outbound) and outcome (completed, rejected, failed, cancelled, transferred).',
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (direction, outcome) (rate(voicefleet_calls_total{${F}}[${RATE}]))`,
            legend: '{{direction}} {{outcome}}',
          },
        ],
      },
      {
        title: 'Media pods',
        description:
          'Media pods reporting metrics per region, and how many of them are draining (refusing new calls, finishing active ones before they exit).',
        unit: 'short',
        min: 0,
        span: 8,
        queries: [
          {
            expr: `count by (region) (voicefleet_capacity_calls{${F}})`,
            legend: 'pods {{region}}',
          },
          {
            expr: `sum by (region) (voicefleet_draining{${F}})`,
            legend: 'draining {{region}}',
          },
        ],
      },
      {
        title: 'SIP responses sent',
        description:
          'Final SIP responses the media pods sent per second, by request method and status code. 503 while full or draining makes the edge try the next pod.',
        unit: 'cps',
        min: 0,
        span: 8,
        queries: [
          {
            expr: `sum by (method, code) (rate(voicefleet_sip_responses_total{${F}}[${RATE}]))`,
            legend: '{{method}} {{code}}',
          },
        ],
      },
      {
        title: 'RTP packets',
        description:
          'RTP packets sent and received per second by the media pods, and packets lost (sequence gaps in what callers sent).',
        unit: 'pps',
        min: 0,
        span: 8,
        queries: [
          {
            expr: `sum(rate(voicefleet_rtp_packets_sent_total{${F}}[${RATE}]))`,
            legend: 'sent',
          },
          {
            expr: `sum(rate(voicefleet_rtp_packets_received_total{${F}}[${RATE}]))`,
            legend: 'received',
          },
          {
            expr: `sum(rate(voicefleet_rtp_packets_lost_total{${F}}[${RATE}]))`,
            legend: 'lost',
          },
        ],
      },
      {
        title: 'Provider errors',
        description:
          'Errors from the speech-to-text, LLM and text-to-speech providers per second, by kind and provider. The agent retries and apologises instead of going silent; a steady rate here shows in turn latency.',
        unit: 'cps',
        min: 0,
        span: 24,
        queries: [
          {
            expr: `sum by (kind, provider) (rate(voicefleet_provider_errors_total{${F}}[${RATE}]))`,
            legend: '{{kind}} {{provider}}',
          },
        ],
      },
    ],
  });
}
