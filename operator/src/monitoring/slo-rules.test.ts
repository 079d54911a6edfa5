import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectorLabels } from '../voice-agent/child-names.js';
import { desiredPodMonitor, desiredPrometheusRule } from './agent-monitoring.js';
import { subject } from './fixtures.test-support.js';
import type { AlertingRule, RecordingRule } from './rule-types.js';
import type { SloSubject } from './slo-definitions.js';
import { sloRuleGroups } from './slo-rules.js';

const options = { runbookBaseUrl: 'https://runbooks.example/voicefleet', labels: {} };

function rules(s: SloSubject) {
  const all = sloRuleGroups(s, options).flatMap((g) => g.rules);
  return {
    records: all.filter((r): r is RecordingRule => 'record' in r),
    alerts: all.filter((r): r is AlertingRule => 'alert' in r),
  };
}

const record = (s: SloSubject, name: string, slo: string, window?: string) =>
  rules(s).records.find(
    (r) => r.record === name && r.labels?.slo === slo && r.labels.window === window,
  );

describe('sloRuleGroups', () => {
  it('records every SLO over every alert window and the budget window', () => {
    const { records } = rules(subject());
    for (const slo of ['turn-latency', 'call-setup', 'answer-success']) {
      const windows = (name: string) =>
        records
          .filter((r) => r.record === name && r.labels?.slo === slo)
          .map((r) => r.labels?.window);
      const alerting = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
      assert.deepEqual(windows('voicefleet_slo:events:rate'), alerting, slo);
      assert.deepEqual(windows('voicefleet_slo:errors:rate'), alerting, slo);
      assert.deepEqual(windows('voicefleet_slo:error_ratio'), [...alerting, '30d'], slo);
      assert.deepEqual(windows('voicefleet_slo:burn_rate'), [...alerting, '30d'], slo);
      assert.deepEqual(windows('voicefleet_slo:error_budget_remaining'), ['30d'], slo);
    }
  });

  const sli: [string, Parameters<typeof subject>[0], string, string, RegExp, RegExp][] = [
    [
      'counts turns over turnLatencyMs from the total stage histogram',
      { turnLatencyMs: 1000 },
      'turn-latency',
      '1',
      /voicefleet_turn_stage_seconds_count\{namespace="default",agent="front-desk",stage="total"\}\[5m\]/,
      /voicefleet_turn_stage_seconds_bucket\{[^}]*stage="total",le=~"1\(\\\\\.0\)\?"\}\[5m\]/,
    ],
    [
      'counts turns over a 250 ms threshold at the 0.25 s bucket',
      { turnLatencyMs: 250 },
      'turn-latency',
      '0.25',
      /voicefleet_turn_stage_seconds_count/,
      /le=~"0\\\\\.25"/,
    ],
    [
      'counts call setups over callSetupMs',
      { callSetupMs: 300 },
      'call-setup',
      '0.3',
      /voicefleet_call_setup_seconds_count\{namespace="default",agent="front-desk"\}\[5m\]/,
      /voicefleet_call_setup_seconds_bucket\{namespace="default",agent="front-desk",le=~"0\\\\\.3"\}\[5m\]/,
    ],
  ];
  for (const [name, slo, sloName, threshold, events, errors] of sli)
    it(name, () => {
      const s = subject(slo);
      assert.match(record(s, 'voicefleet_slo:events:rate', sloName, '5m')!.expr, events);
      assert.match(record(s, 'voicefleet_slo:errors:rate', sloName, '5m')!.expr, errors);
      assert.equal(
        record(s, 'voicefleet_slo:threshold_seconds', sloName)!.expr,
        `vector(${threshold})`,
      );
    });

  it('counts answer success from the edge: 5xx, 408 and 480 are failures, 0 when there are none', () => {
    const s = subject();
    const errors = record(s, 'voicefleet_slo:errors:rate', 'answer-success', '1h')!.expr;
    assert.match(errors, /voicefleet_edge_agent_calls_total\{[^}]*code=~"5\.\.\|408\|480"\}\[1h\]/);
    assert.match(errors, / or 0 \* /);
    assert.match(
      record(s, 'voicefleet_slo:events:rate', 'answer-success', '1h')!.expr,
      /code=~"2\.\.\|5\.\.\|408\|480"/,
    );
    assert.equal(record(s, 'voicefleet_slo:threshold_seconds', 'answer-success'), undefined);
  });

  it('sums every SLI per agent and region, and reads only this agent', () => {
    for (const r of rules(subject()).records.filter((r) => r.record.endsWith(':rate'))) {
      assert.match(r.expr, /^\(?sum by \(namespace, agent, region\)/);
      for (const sel of r.expr.match(/\{[^}]*\}/g) ?? [])
        assert.match(sel, /namespace="default",agent="front-desk"/);
    }
  });

  it('divides the error ratio by the budget for the burn rate, and keeps the objective', () => {
    const s = subject({ turnLatencyObjective: 0.995 });
    assert.equal(
      record(s, 'voicefleet_slo:burn_rate', 'turn-latency', '1h')!.expr,
      'voicefleet_slo:error_ratio{namespace="default",agent="front-desk",slo="turn-latency",window="1h"} / 0.005',
    );
    assert.equal(record(s, 'voicefleet_slo:objective', 'turn-latency')!.expr, 'vector(0.995)');
    assert.equal(
      record(s, 'voicefleet_slo:error_budget_remaining', 'turn-latency', '30d')!.expr,
      '1 - voicefleet_slo:burn_rate{namespace="default",agent="front-desk",slo="turn-latency",window="30d"}',
    );
  });

  it('sums the shortest window over the budget window', () => {
    const s = subject({ windowDays: 7 });
    assert.equal(
      record(s, 'voicefleet_slo:error_ratio', 'call-setup', '7d')!.expr,
      'sum_over_time(voicefleet_slo:errors:rate{namespace="default",agent="front-desk",slo="call-setup",window="70s"}[7d]) / sum_over_time(voicefleet_slo:events:rate{namespace="default",agent="front-desk",slo="call-setup",window="70s"}[7d])',
    );
  });
});

describe('SLO alerts', () => {
  const pairs: [string, Parameters<typeof subject>[0], string, string[][]][] = [
    [
      'page at 14.4x and 6x, ticket at 3x and 1x',
      {},
      'VoiceAgentTurnLatencyBudgetBurn',
      [
        ['critical', '1h', '5m', '14.4'],
        ['critical', '6h', '30m', '6'],
        ['warning', '1d', '2h', '3'],
        ['warning', '3d', '6h', '1'],
      ],
    ],
    [
      'fire at total failure when 14.4x a 10% budget is more than every call',
      { answerSuccessObjective: 0.9 },
      'VoiceAgentAnswerSuccessBudgetBurn',
      [
        ['critical', '1h', '5m', '10'],
        ['critical', '6h', '30m', '6'],
        ['warning', '1d', '2h', '3'],
        ['warning', '3d', '6h', '1'],
      ],
    ],
    [
      'scale their windows with windowDays',
      { windowDays: 7 },
      'VoiceAgentCallSetupBudgetBurn',
      [
        ['critical', '14m', '70s', '14.4'],
        ['critical', '84m', '7m', '6'],
        ['warning', '336m', '28m', '3'],
        ['warning', '1008m', '84m', '1'],
      ],
    ],
  ];
  for (const [name, slo, alertName, want] of pairs)
    it(name, () => {
      const got = rules(subject(slo)).alerts.filter((a) => a.alert === alertName);
      assert.deepEqual(
        got.map((a) => [
          a.labels.severity,
          a.labels.long_window,
          a.labels.short_window,
          /\) >= ([\d.]+) and/.exec(a.expr)![1],
        ]),
        want,
      );
      for (const [a, [, long, short, rate]] of got.map((a, i) => [a, want[i]!] as const)) {
        assert.match(
          a.expr,
          new RegExp(
            `window="${long}"\\}\\) >= ${rate} and on \\(namespace, agent, region, slo\\) `,
          ),
        );
        assert.match(a.expr, new RegExp(`window="${short}"\\}\\) >= ${rate}$`));
      }
    });

  it('say what burns, how fast, what it costs, and link a runbook', () => {
    const [page] = rules(subject()).alerts;
    assert.ok(page);
    assert.equal(
      page.annotations.summary,
      '{{ $labels.namespace }}/{{ $labels.agent }} in {{ $labels.region }}: turn latency error budget burning at 14.4x or more over 1h and 5m',
    );
    assert.equal(
      page.annotations.description,
      "The objective allows 1% of turns to take longer than 1000 ms from the end of the caller's speech to the first agent audio (99% over 30d). Over the last 1h and 5m that share was 14.4x the allowance or more: 2% of the 30d error budget is gone in 1h, and at this rate all of it lasts 2.1 days.",
    );
    assert.equal(
      page.annotations.runbook_url,
      'https://runbooks.example/voicefleet#voiceagentturnlatencybudgetburn',
    );
  });

  it('has one alert name per SLO, four rules each', () => {
    const names = rules(subject()).alerts.map((a) => a.alert);
    assert.deepEqual(
      [...new Set(names)],
      [
        'VoiceAgentTurnLatencyBudgetBurn',
        'VoiceAgentCallSetupBudgetBurn',
        'VoiceAgentAnswerSuccessBudgetBurn',
      ],
    );
    assert.equal(names.length, 12);
  });
});

describe('monitoring objects of an agent', () => {
  const labels = { release: 'kube-prometheus-stack' };

  it('puts the SLO rules in a PrometheusRule in the agent namespace with the selector labels', () => {
    const rule = desiredPrometheusRule(subject(), { ...options, labels });
    assert.equal(rule.metadata.name, 'front-desk-slo');
    assert.equal(rule.metadata.namespace, 'default');
    assert.equal(rule.metadata.labels.release, 'kube-prometheus-stack');
    assert.equal(rule.metadata.labels['voicefleet.io/agent'], 'front-desk');
    assert.equal(rule.spec.groups.length, 1);
  });

  it("scrapes the agent's media pods at spec.monitoring.scrapeIntervalSeconds, keeping their labels", () => {
    const monitor = desiredPodMonitor(subject({}, { scrapeIntervalSeconds: 5 }), {
      ...options,
      labels,
    });
    // Selects the media pods of every region (their template's labels), and nothing else.
    for (const region of ['us-east-1', 'eu-west-1']) {
      const pod = selectorLabels('front-desk', region);
      for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels))
        assert.equal(pod[k], v, k);
    }
    assert.notEqual(
      selectorLabels('front-desk-2', 'us-east-1')['voicefleet.io/agent'],
      monitor.spec.selector.matchLabels['voicefleet.io/agent'],
    );
    assert.deepEqual(monitor.spec.podMetricsEndpoints, [
      {
        port: 'metrics',
        path: '/metrics',
        interval: '5s',
        honorLabels: true,
        relabelings: [
          {
            sourceLabels: ['__meta_kubernetes_pod_label_voicefleet_io_agent'],
            targetLabel: 'agent',
          },
          {
            sourceLabels: ['__meta_kubernetes_pod_label_voicefleet_io_region'],
            targetLabel: 'region',
          },
        ],
      },
    ]);
    assert.equal(monitor.metadata.labels.release, 'kube-prometheus-stack');
  });
});
