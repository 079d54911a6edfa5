// The SIP trunks as the edge sees them: each gateway's probe state, the INVITEs sent to it, the
// failovers away from it and how many it answered (answer-seizure ratio), the final answers per
// trunk in and out, and the quality of the calls on the agents' side.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE, buildDashboard, quantile } from './panel.js';

const F = 'namespace=~"$namespace",trunk=~"$trunk",region=~"$region"';
const EDGE = 'voicefleet_edge_';

export function trunkDashboard(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'voicefleet-trunk',
    title: 'voicefleet / trunk',
    description:
      "SipTrunks at the edge: gateway state from the trunk's OPTIONS probes, INVITEs sent per gateway, failovers, answer-seizure ratio, final answers per trunk, and call quality.",
    variables: [
      {
        name: 'namespace',
        label: 'Namespace',
        query: `label_values(${EDGE}gateway_up, namespace)`,
        multi: true,
      },
      {
        name: 'trunk',
        label: 'Trunk',
        query: `label_values(${EDGE}gateway_up{namespace=~"$namespace"}, trunk)`,
        multi: true,
      },
      {
        name: 'region',
        label: 'Region',
        query: `label_values(${EDGE}gateway_up{namespace=~"$namespace"}, region)`,
        multi: true,
      },
    ],
    parts: [
      { row: 'Gateways' },
      {
        title: 'Gateway state',
        description:
          "Each gateway as the edge's trunk prober last saw it, per region: 1 takes calls, 0 failed its trunk's healthCheck (failureThreshold OPTIONS in a row unanswered or refused) and gets none until successThreshold probes answer again.",
        unit: 'short',
        kind: 'bargauge',
        min: 0,
        max: 1,
        queries: [
          {
            expr: `min by (namespace, trunk, gateway, region) (${EDGE}gateway_up{${F}})`,
            legend: '{{trunk}} {{gateway}} {{region}}',
          },
        ],
      },
      {
        title: 'Answer-seizure ratio',
        description:
          'Share of the INVITEs sent to each gateway that it answered (2xx). Busy, declined and failed-over attempts lower it; a digest challenge answered with the trunk credentials counts as one attempt.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [
          {
            expr: `sum by (namespace, trunk, gateway) (rate(${EDGE}trunk_answers_total{${F}}[${RATE}])) / sum by (namespace, trunk, gateway) (rate(${EDGE}trunk_attempts_total{${F}}[${RATE}]))`,
            legend: '{{trunk}} {{gateway}}',
          },
        ],
      },
      {
        title: 'Attempts per gateway',
        description:
          "Outbound INVITEs the edge sent to each gateway per second: the first gateway the trunk's priorities and weights pick, and every gateway or trunk a failover moved on to.",
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, trunk, gateway) (rate(${EDGE}trunk_attempts_total{${F}}[${RATE}]))`,
            legend: '{{trunk}} {{gateway}}',
          },
        ],
      },
      {
        title: 'Failovers per gateway',
        description:
          "Attempts per second where this gateway failed (no provisional answer within the trunk's failover.timeoutMs, or one of its failover.responseCodes) and the edge tried the next gateway or the agent's next trunk.",
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, trunk, gateway) (rate(${EDGE}trunk_failovers_total{${F}}[${RATE}]))`,
            legend: '{{trunk}} {{gateway}}',
          },
        ],
      },
      { row: 'Calls' },
      {
        title: 'Outbound final answers by code',
        description:
          'Outbound calls per second by the final answer the media pod got, per trunk that gave it: 2xx answered, 486/603 busy or declined, 5xx or 408 when no gateway and no trunk was left. A call that failed over counts once, for the trunk that ended it.',
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, trunk, code) (rate(${EDGE}trunk_outbound_calls_total{${F}}[${RATE}]))`,
            legend: '{{trunk}} {{code}}',
          },
        ],
      },
      {
        title: 'Inbound final answers by code',
        description:
          "Inbound calls per second from each trunk (the trunk whose inbound.sourceCidrs hold the caller's address) by the final answer the carrier got: 2xx answered by a media pod, 404 a number no agent owns, 503 no media pod left in any region.",
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, trunk, code) (rate(${EDGE}trunk_inbound_calls_total{${F}}[${RATE}]))`,
            legend: '{{trunk}} {{code}}',
          },
        ],
      },
      { row: 'Call quality (per agent in these namespaces)' },
      {
        title: 'MOS',
        description:
          'E-model (ITU-T G.107) MOS of ended calls, median and 5th percentile, per agent in the trunk namespaces: the media pod rates each call from its RTP and RTCP; it does not know which trunk a call crossed, so compare agents that use this trunk. 4.41 is a clean G.711 call.',
        unit: 'short',
        min: 1,
        max: 4.5,
        span: 8,
        queries: [0.5, 0.05].map((q) => ({
          expr: quantile(q, 'voicefleet_call_mos', 'namespace=~"$namespace"', [
            'namespace',
            'agent',
          ]),
          legend: `{{agent}} p${Math.round(q * 100)}`,
        })),
      },
      {
        title: 'Jitter',
        description:
          "RFC 3550 interarrival jitter of the caller's audio at the end of each call, p95 per agent in the trunk namespaces. Above 30 ms a carrier path is likely to be heard.",
        unit: 's',
        min: 0,
        span: 8,
        queries: [
          {
            expr: quantile(0.95, 'voicefleet_call_jitter_seconds', 'namespace=~"$namespace"', [
              'namespace',
              'agent',
            ]),
            legend: '{{agent}} p95',
          },
        ],
      },
      {
        title: 'Packet loss',
        description:
          "Share of the caller's RTP packets lost over each call, p95 per agent in the trunk namespaces. 1% already lowers the MOS audibly.",
        unit: 'percentunit',
        min: 0,
        span: 8,
        queries: [
          {
            expr: quantile(0.95, 'voicefleet_call_packet_loss_ratio', 'namespace=~"$namespace"', [
              'namespace',
              'agent',
            ]),
            legend: '{{agent}} p95',
          },
        ],
      },
    ],
  });
}
