// The Kamailio edge every call crosses: calls per second, the answers callers get (per agent too),
// the answers Kamailio sends itself, trunk gateways and failovers, and whether the operator keeps
// each edge's routing in sync.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE, buildDashboard } from './panel.js';

const F = 'region=~"$region"';

export function edgeDashboard(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'voicefleet-edge',
    title: 'voicefleet / edge',
    description:
      'The Kamailio edge: calls per second in and out, final answers by status code, answers the edge sends itself, and the routing the operator writes to it over JSON-RPC.',
    variables: [
      {
        name: 'region',
        label: 'Region',
        query: 'label_values(voicefleet_edge_sl_sent_replies, region)',
        multi: true,
      },
    ],
    parts: [
      { row: 'Calls' },
      {
        title: 'Calls per second',
        description:
          'INVITEs that got a final answer per second, inbound (from trunks and peer edges to media pods) and outbound (from media pods to trunks).',
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (route) (rate(voicefleet_edge_calls_total{${F}}[${RATE}]))`,
            legend: '{{route}}',
          },
        ],
      },
      {
        title: 'Final answers by status code',
        description:
          'Final answers to INVITEs per second by route and status code: 2xx answered, 403 a source in no trunk ACL, 404 a number no agent owns, 503 no media pod or trunk left.',
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (route, result) (rate(voicefleet_edge_calls_total{${F}}[${RATE}]))`,
            legend: '{{route}} {{result}}',
          },
        ],
      },
      {
        title: 'Answers the edge sends itself',
        description:
          'Stateless replies Kamailio generates per second by class (sl module): health-check 200s, 403/404 refusals, 483 loops, 503 when no destination is left. Relayed answers from media pods and carriers are not counted here.',
        unit: 'cps',
        min: 0,
        span: 24,
        // One query per class: rate() drops the metric name, so it cannot be grouped by.
        queries: ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'].map((c) => ({
          expr: `sum(rate(voicefleet_edge_sl_${c}_replies{${F}}[${RATE}]))`,
          legend: c,
        })),
      },
      {
        title: 'Inbound calls per agent by final answer',
        description:
          'Calls offered to each agent at this edge per second by the final answer the caller got (the answer-success SLI): 2xx answered, 5xx/408/480 failed, 486/603/487 busy, declined or cancelled. A call handed to a peer region counts at the edge it first reached.',
        unit: 'cps',
        min: 0,
        span: 24,
        queries: [
          {
            expr: `sum by (namespace, agent, code) (rate(voicefleet_edge_agent_calls_total{${F}}[${RATE}]))`,
            legend: '{{namespace}}/{{agent}} {{code}}',
          },
        ],
      },
      { row: 'Trunks' },
      {
        title: 'Trunk gateways up',
        description:
          "Gateways per trunk that pass their trunk's OPTIONS healthCheck against all the trunk has, per region. Details per gateway on the trunk dashboard.",
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, trunk) (voicefleet_edge_gateway_up{${F}})`,
            legend: 'up {{namespace}}/{{trunk}}',
          },
          {
            expr: `count by (namespace, trunk) (voicefleet_edge_gateway_up{${F}})`,
            legend: 'all {{namespace}}/{{trunk}}',
          },
        ],
      },
      {
        title: 'Outbound attempts and failovers per trunk',
        description:
          "INVITEs sent to a trunk's gateways per second, and the failovers away from them (a gateway timed out or answered one of the trunk's failover codes and the next gateway or trunk was tried).",
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, trunk) (rate(voicefleet_edge_trunk_attempts_total{${F}}[${RATE}]))`,
            legend: 'attempts {{namespace}}/{{trunk}}',
          },
          {
            expr: `sum by (namespace, trunk) (rate(voicefleet_edge_trunk_failovers_total{${F}}[${RATE}]))`,
            legend: 'failovers {{namespace}}/{{trunk}}',
          },
        ],
      },
      { row: 'Routing' },
      {
        title: 'Dispatcher destinations usable',
        description:
          'Media pods, trunk gateways and peer edges each Kamailio can route to (active or probing) against all it holds, as the operator reads them from dispatcher.list. A gap is a destination failing its OPTIONS probes or drained.',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: 'sum by (edge) (voicefleet_operator_edge_destination_up)',
            legend: 'usable {{edge}}',
          },
          {
            expr: 'count by (edge) (voicefleet_operator_edge_destination_up)',
            legend: 'all {{edge}}',
          },
        ],
      },
      {
        title: 'Routing sync',
        description:
          "The operator's sync passes per edge per second by result, and the JSON-RPC changes it applied (dispatcher adds/removes/state changes, htable writes). Errors mean an edge is not getting routing changes.",
        unit: 'ops',
        min: 0,
        queries: [
          {
            expr: `sum by (edge, result) (rate(voicefleet_operator_edge_sync_passes_total[${RATE}]))`,
            legend: 'pass {{edge}} {{result}}',
          },
          {
            expr: `sum by (edge) (rate(voicefleet_operator_edge_ops_total[${RATE}]))`,
            legend: 'changes {{edge}}',
          },
        ],
      },
    ],
  });
}
