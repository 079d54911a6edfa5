// A VoiceAgent's SLOs as Prometheus rules: per SLO and region the error ratio over every alert
// window and over the budget window, the burn rate, the budget left, and four multi-window
// multi-burn-rate alerts (two page, two ticket). Pure: the same groups go into the operator's
// PrometheusRule, `voicefleet render monitoring` and the promtool tests.
import { promNumber, selector } from './promql.js';
import type { AlertingRule, RecordingRule, RuleGroup } from './rule-types.js';
import {
  SLO_LABELS,
  sloDefinitions,
  type SloDefinition,
  type SloSubject,
} from './slo-definitions.js';
import { sloWindows, type BurnRateAlert, type SloWindows } from './windows.js';

/** Recorded series (`level:metric:operation`); each carries namespace, agent, slo and window. */
export const SLO_SERIES = {
  errorRatio: 'voicefleet_slo:error_ratio',
  burnRate: 'voicefleet_slo:burn_rate',
  eventsRate: 'voicefleet_slo:events:rate',
  errorsRate: 'voicefleet_slo:errors:rate',
  budgetRemaining: 'voicefleet_slo:error_budget_remaining',
  objective: 'voicefleet_slo:objective',
  threshold: 'voicefleet_slo:threshold_seconds',
} as const;

export interface RuleOptions {
  /** Runbook links are `<base>#<alert name in lower case>`. */
  runbookBaseUrl: string;
}

export function sloRuleGroups(subject: SloSubject, options: RuleOptions): RuleGroup[] {
  const windows = sloWindows(subject.slo.windowDays);
  return [
    {
      name: `voicefleet-slo-${subject.namespace}-${subject.name}`,
      rules: sloDefinitions(subject).flatMap((slo) => [
        ...recordingRules(subject, slo, windows),
        ...windows.alerts.map((a) => alertingRule(subject, slo, windows, a, options)),
      ]),
    },
  ];
}

function recordingRules(
  subject: SloSubject,
  slo: SloDefinition,
  windows: SloWindows,
): RecordingRule[] {
  const base = { namespace: subject.namespace, agent: subject.name, slo: slo.name };
  const of = (name: string, window: string) => `${name}${selector({ ...base, window })}`;
  const shortest = windows.alerting[0]!;
  return [
    { record: SLO_SERIES.objective, expr: `vector(${slo.objective})`, labels: base },
    ...(slo.thresholdSeconds === undefined
      ? []
      : [{ record: SLO_SERIES.threshold, expr: `vector(${slo.thresholdSeconds})`, labels: base }]),
    ...windows.alerting.flatMap((w) => [
      { record: SLO_SERIES.eventsRate, expr: slo.events(w), labels: { ...base, window: w } },
      { record: SLO_SERIES.errorsRate, expr: slo.errors(w), labels: { ...base, window: w } },
      {
        record: SLO_SERIES.errorRatio,
        expr: `${of(SLO_SERIES.errorsRate, w)} / ${of(SLO_SERIES.eventsRate, w)}`,
        labels: { ...base, window: w },
      },
    ]),
    // The budget window adds up the shortest window's rates instead of reading raw samples.
    {
      record: SLO_SERIES.errorRatio,
      expr: `sum_over_time(${of(SLO_SERIES.errorsRate, shortest)}[${windows.budget}]) / sum_over_time(${of(SLO_SERIES.eventsRate, shortest)}[${windows.budget}])`,
      labels: { ...base, window: windows.budget },
    },
    ...[...windows.alerting, windows.budget].map((w) => ({
      record: SLO_SERIES.burnRate,
      expr: `${of(SLO_SERIES.errorRatio, w)} / ${promNumber(slo.budget)}`,
      labels: { ...base, window: w },
    })),
    {
      record: SLO_SERIES.budgetRemaining,
      expr: `1 - ${of(SLO_SERIES.burnRate, windows.budget)}`,
      labels: { ...base, window: windows.budget },
    },
  ];
}

/**
 * The burn rate an alert fires at. When the objective is so loose that the workbook's rate would
 * need more than every event to fail (14.4x a 10% budget), it fires when every event fails.
 */
export function alertThreshold(slo: SloDefinition, alert: BurnRateAlert): number {
  // Rounded down, so that a burn rate of exactly 1 / budget (every event bad) still reaches it.
  return Math.min(alert.burnRate, Math.floor(1e6 / slo.budget) / 1e6);
}

function alertingRule(
  subject: SloSubject,
  slo: SloDefinition,
  windows: SloWindows,
  alert: BurnRateAlert,
  options: RuleOptions,
): AlertingRule {
  const base = { namespace: subject.namespace, agent: subject.name, slo: slo.name };
  const threshold = promNumber(alertThreshold(slo, alert));
  const burn = (w: string) =>
    `max without (window) (${SLO_SERIES.burnRate}${selector({ ...base, window: w })}) >= ${threshold}`;
  const pct = (x: number) => `${promNumber(x * 100)}%`;
  const lasts = durationWords((subject.slo.windowDays * 86400) / Number(threshold));
  const what = slo.name.replace('-', ' ');
  return {
    alert: slo.alert,
    expr: `${burn(alert.longWindow)} and on (${SLO_LABELS.join(', ')}, slo) ${burn(alert.shortWindow)}`,
    labels: {
      severity: alert.severity,
      long_window: alert.longWindow,
      short_window: alert.shortWindow,
    },
    annotations: {
      summary: `{{ $labels.namespace }}/{{ $labels.agent }} in {{ $labels.region }}: ${what} error budget burning at ${threshold}x or more over ${alert.longWindow} and ${alert.shortWindow}`,
      description:
        `The objective allows ${pct(slo.budget)} of ${slo.badEvents} ` +
        `(${pct(slo.objective)} over ${windows.budget}). ` +
        `Over the last ${alert.longWindow} and ${alert.shortWindow} that share was ${threshold}x the allowance or more: ` +
        `${pct(alert.budgetSpent * (Number(threshold) / alert.burnRate))} of the ${windows.budget} error budget is gone in ${alert.longWindow}, ` +
        `and at this rate all of it lasts ${lasts}.`,
      runbook_url: `${options.runbookBaseUrl}#${slo.alert.toLowerCase()}`,
    },
  };
}

function durationWords(seconds: number): string {
  const days = seconds / 86400;
  if (days >= 1) return `${promNumber(Math.round(days * 10) / 10)} days`;
  return `${promNumber(Math.round((seconds / 3600) * 10) / 10)} hours`;
}
