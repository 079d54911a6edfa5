// The whole fleet at a glance: which agents are taking calls, how full each region is, which
// error budgets are running out and which SLO alerts fire, and whether the operator keeps up.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RATE, buildDashboard, quantile } from './panel.js';

const F = 'namespace=~"$namespace",region=~"$region"';

export function fleetDashboard(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'voicefleet-fleet',
    title: 'voicefleet / fleet overview',
    description:
      'Every VoiceAgent: calls, capacity, error budgets and firing SLO alerts, and the operator that runs them. Open an agent in the voicefleet / agent dashboard.',
    variables: [
      {
        name: 'namespace',
        label: 'Namespace',
        query: 'label_values(voicefleet_capacity_calls, namespace)',
        multi: true,
      },
      {
        name: 'region',
        label: 'Region',
        query: 'label_values(voicefleet_capacity_calls{namespace=~"$namespace"}, region)',
        multi: true,
      },
    ],
    parts: [
      { row: 'Agents' },
      {
        title: 'Error budget remaining',
        description:
          "The lowest share of error budget left per agent and SLO, over the SLO's budget window. Below 0 the objective is missed.",
        unit: 'percentunit',
        kind: 'bargauge',
        max: 1,
        queries: [
          {
            expr: `min by (namespace, agent, slo) (voicefleet_slo:error_budget_remaining{${F}})`,
            legend: '{{namespace}}/{{agent}} {{slo}}',
          },
        ],
      },
      {
        title: 'SLO alerts firing',
        description:
          'Burn-rate alerts firing per agent: severity critical pages (1h/5m at 14.4x, 6h/30m at 6x), warning opens a ticket (1d/2h at 3x, 3d/6h at 1x). Each links to its runbook.',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: 'sum by (namespace, agent, alertname, severity) (ALERTS{alertname=~"VoiceAgent.+BudgetBurn",alertstate="firing",namespace=~"$namespace"})',
            legend: '{{namespace}}/{{agent}} {{alertname}} {{severity}}',
          },
        ],
      },
      {
        title: 'Calls in progress',
        description: 'Calls in progress per agent, across its regions.',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, agent) (voicefleet_active_calls{${F}})`,
            legend: '{{namespace}}/{{agent}}',
          },
        ],
      },
      {
        title: 'Calls ended per second',
        description: 'Calls ended per second per agent, whatever their outcome.',
        unit: 'cps',
        min: 0,
        queries: [
          {
            expr: `sum by (namespace, agent) (rate(voicefleet_calls_total{${F}}[${RATE}]))`,
            legend: '{{namespace}}/{{agent}}',
          },
        ],
      },
      {
        title: 'Turn latency p95',
        description:
          "95th percentile of the time from the end of the caller's speech to the first agent audio, per agent.",
        unit: 's',
        min: 0,
        queries: [
          {
            expr: quantile(0.95, 'voicefleet_turn_stage_seconds', `${F},stage="total"`, [
              'namespace',
              'agent',
            ]),
            legend: '{{namespace}}/{{agent}}',
          },
        ],
      },
      {
        title: 'Capacity used',
        description:
          'Calls in progress over the calls the ready media pods take, per region. The pools grow before this reaches 100%; a region at 100% sends new calls to its peers.',
        unit: 'percentunit',
        min: 0,
        max: 1,
        queries: [
          {
            expr: `sum by (region) (voicefleet_active_calls{${F}}) / sum by (region) (voicefleet_capacity_calls{${F}})`,
            legend: '{{region}}',
          },
        ],
      },
      {
        title: 'Media pods',
        description: 'Media pods reporting metrics per agent and region.',
        unit: 'short',
        min: 0,
        span: 24,
        queries: [
          {
            expr: `count by (namespace, agent, region) (voicefleet_capacity_calls{${F}})`,
            legend: '{{namespace}}/{{agent}} {{region}}',
          },
        ],
      },
      { row: 'Operator' },
      {
        title: 'Reconciles',
        description:
          'Reconcile passes per second by controller and result. Errors are retried with backoff; a steady error rate means a resource the operator cannot bring to its desired state.',
        unit: 'ops',
        min: 0,
        span: 8,
        queries: [
          {
            expr: `sum by (controller, result) (rate(voicefleet_operator_reconcile_total[${RATE}]))`,
            legend: '{{controller}} {{result}}',
          },
        ],
      },
      {
        title: 'Reconcile duration p95',
        description: 'How long one reconcile pass takes, 95th percentile per controller.',
        unit: 's',
        min: 0,
        span: 8,
        queries: [
          {
            expr: quantile(0.95, 'voicefleet_operator_reconcile_duration_seconds', '', [
              'controller',
            ]),
            legend: '{{controller}}',
          },
        ],
      },
      {
        title: 'Work queue and leader',
        description:
          "Keys waiting in each controller's work queue, and how many operator replicas hold the leader lease (exactly 1 is healthy: only the leader writes).",
        unit: 'short',
        min: 0,
        span: 8,
        queries: [
          {
            expr: 'sum by (controller) (voicefleet_operator_queue_depth)',
            legend: 'queue {{controller}}',
          },
          { expr: 'sum(voicefleet_operator_leader)', legend: 'leaders' },
        ],
      },
    ],
  });
}
