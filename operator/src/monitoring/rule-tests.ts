// promtool unit tests for a VoiceAgent's SLO rules, made from the same definitions: for every
// alert, synthetic series where the bad share burns at the alert's rate over its long window
// (it must fire) and just below it (it must stay silent), and a constant error rate that must
// leave the budget it implies. `promtool test rules` runs them against the rendered rule file.
import { promNumber } from './promql.js';
import type { AlertingRule } from './rule-types.js';
import { sloDefinitions, type SloDefinition, type SloSubject } from './slo-definitions.js';
import { SLO_SERIES, alertThreshold, sloRuleGroups, type RuleOptions } from './slo-rules.js';
import { shortestWindowSeconds, sloWindows, type BurnRateAlert } from './windows.js';

export interface PromtoolTestFile {
  rule_files: string[];
  evaluation_interval: string;
  tests: PromtoolTest[];
}

interface PromtoolTest {
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
  promql_expr_test?: {
    expr: string;
    eval_time: string;
    exp_samples: { labels: string; value: number }[];
  }[];
}

/** How far above and below an alert's burn rate the synthetic series burn. */
export const MARGIN = 0.02;
const REGION = 'test-region';
/** Events per sample interval. */
const EVENTS = 1000;
/** Samples per shortest window; rules are evaluated once per shortest window. */
const SAMPLES_PER_EVALUATION = 5;

/** A stretch of the synthetic series: `steps` sample intervals with a share `ratio` of bad events. */
interface Segment {
  steps: number;
  ratio: number;
}

/** One promtool test file, named by what it covers (`alerts-1h`, `budget`). */
export interface NamedTestFile {
  name: string;
  file: PromtoolTestFile;
}

/**
 * One file per alert window pair, evaluating the rules only at the end of its scenarios (rules
 * other than the budget window keep no state between evaluations, and promtool evaluates every
 * rule at every interval up to the last eval_time), and one for the budget window, which sums
 * the shortest window's recorded rates and so is evaluated at every shortest window.
 */
export function sloRuleTests(
  subject: SloSubject,
  options: RuleOptions,
  ruleFile: string,
): NamedTestFile[] {
  const shortest = shortestWindowSeconds(subject.slo.windowDays);
  const interval = shortest / SAMPLES_PER_EVALUATION;
  const windows = sloWindows(subject.slo.windowDays);
  const definitions = sloDefinitions(subject);
  const alerts = sloRuleGroups(subject, options)
    .flatMap((g) => g.rules)
    .filter((r): r is AlertingRule => 'alert' in r);
  const steps = (window: string) => seconds(window) / interval;
  const files = windows.alerts.map((alert, target): NamedTestFile => {
    // Every scenario of this pair lasts the long window plus the short one plus an evaluation.
    const total = steps(alert.longWindow) + steps(alert.shortWindow) + SAMPLES_PER_EVALUATION;
    const tests = definitions.flatMap((slo) => {
      const rules = alerts.filter((a) => a.alert === slo.alert);
      const threshold = alertThreshold(slo, alert);
      // Capped (the workbook's rate needs more than every event to fail): fires when all fail.
      const capped = threshold < alert.burnRate;
      const at = (factor: number) => Math.min(1, threshold * slo.budget * factor);
      const scenarios: { segments: Segment[]; fires: boolean }[] = [
        { segments: [{ steps: total, ratio: capped ? 1 : at(1 + MARGIN) }], fires: true },
        { segments: [{ steps: total, ratio: capped ? 1 - MARGIN : at(1 - MARGIN) }], fires: false },
      ];
      // A burn that stopped a short window ago: the long window still burns, the short does not.
      if (!capped) {
        const quiet = steps(alert.shortWindow) + SAMPLES_PER_EVALUATION;
        scenarios.push({
          segments: [
            { steps: total - quiet, ratio: at(1.5) },
            { steps: quiet, ratio: 0 },
          ],
          fires: false,
        });
      }
      return scenarios.map(({ segments, fires }): PromtoolTest => {
        const firing = firingAlerts(slo, windows.alerts, segments, steps);
        if (firing.includes(target) !== fires)
          throw new Error(
            `${slo.name}: the ${alert.longWindow} scenario would ${fires ? 'not fire' : 'fire'}`,
          );
        const evalTime = `${total * interval}s`;
        return {
          interval: `${interval}s`,
          input_series: inputSeries(subject, slo, segments),
          alert_rule_test: [
            {
              eval_time: evalTime,
              alertname: slo.alert,
              exp_alerts: firing.map((i) => expectedAlert(subject, slo, rules[i]!)),
            },
          ],
          promql_expr_test: [
            {
              expr: within(
                `${SLO_SERIES.burnRate}${sloSelector(subject, slo, alert.longWindow)}`,
                windowRatio(segments, steps(alert.longWindow)) / slo.budget,
              ),
              eval_time: evalTime,
              exp_samples: [{ labels: '{}', value: 1 }],
            },
          ],
        };
      });
    });
    return {
      name: `alerts-${alert.longWindow}`,
      file: { rule_files: [ruleFile], evaluation_interval: `${total * interval}s`, tests },
    };
  });
  files.push({
    name: 'budget',
    file: {
      rule_files: [ruleFile],
      evaluation_interval: `${shortest}s`,
      tests: definitions.map((slo) => budgetTest(subject, slo, interval)),
    },
  });
  return files;
}

/**
 * The alerts that must fire at the end of `segments`. A window's bad share is the mean over its
 * last increments (rate() divides two counters' increases, so the extrapolation cancels out).
 * Throws when a scenario lands so close to another alert's threshold that rounding could decide.
 */
function firingAlerts(
  slo: SloDefinition,
  alerts: BurnRateAlert[],
  segments: Segment[],
  steps: (window: string) => number,
): number[] {
  return alerts.flatMap((alert, i) => {
    const threshold = alertThreshold(slo, alert);
    const burns = [alert.longWindow, alert.shortWindow].map(
      (w) => windowRatio(segments, steps(w)) / slo.budget,
    );
    // A burn within 1e-5 of the threshold is a capped alert at total failure: it fires.
    const margin = (b: number) => b / threshold - 1;
    for (const b of burns)
      if (Math.abs(margin(b)) < MARGIN / 2 && Math.abs(margin(b)) > 1e-5)
        throw new Error(
          `${slo.name}: a scenario lands on the edge of the ${alert.longWindow} alert`,
        );
    return burns.every((b) => margin(b) >= -1e-5) ? [i] : [];
  });
}

/** Bad share of the last `window` increments (all of them when the series is shorter). */
function windowRatio(segments: Segment[], window: number): number {
  let left = window;
  let bad = 0;
  let counted = 0;
  for (const s of [...segments].reverse()) {
    const n = Math.min(left, s.steps);
    bad += n * s.ratio;
    counted += n;
    left -= n;
    if (left === 0) break;
  }
  return bad / counted;
}

function sloSelector(subject: SloSubject, slo: SloDefinition, window: string): string {
  return `{namespace="${subject.namespace}",agent="${subject.name}",slo="${slo.name}",window="${window}"}`;
}

/** A constant bad share from the start: the budget left is 1 - share / budget. */
function budgetTest(subject: SloSubject, slo: SloDefinition, interval: number): PromtoolTest {
  const segments = [{ steps: 12 * SAMPLES_PER_EVALUATION, ratio: slo.budget / 4 }];
  return {
    interval: `${interval}s`,
    input_series: inputSeries(subject, slo, segments),
    promql_expr_test: [
      {
        expr: within(
          `${SLO_SERIES.budgetRemaining}{namespace="${subject.namespace}",agent="${subject.name}",slo="${slo.name}"}`,
          0.75,
        ),
        eval_time: `${segments[0]!.steps * interval}s`,
        exp_samples: [{ labels: '{}', value: 1 }],
      },
    ],
  };
}

/** 1 when `expr` is within 1% of `value` (promtool compares samples exactly). */
function within(expr: string, value: number): string {
  return `sum((${expr} > bool ${promNumber(value * 0.99)}) * (${expr} < bool ${promNumber(value * 1.01)}))`;
}

/** Counters with EVENTS events per step, a share of them bad as the segments say. */
function inputSeries(
  subject: SloSubject,
  slo: SloDefinition,
  segments: Segment[],
): PromtoolTest['input_series'] {
  const labels = (extra: Record<string, string>) =>
    Object.entries({ namespace: subject.namespace, agent: subject.name, region: REGION, ...extra })
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
  // `a+bxn` is n+1 samples a, a+b, ..., a+nb; each segment starts one step after the last.
  // Increments are multiples of 2^-20 so that every sum is exact in float64: promtool's a+b*i
  // and the next segment's start then agree to the bit, and no rounding looks like a reset.
  const counter = (perStep: (ratio: number) => number) => {
    let value = 0;
    const parts = ['0'];
    for (const s of segments) {
      const b = Math.round(perStep(s.ratio) * 2 ** 20) / 2 ** 20;
      parts.push(`${String(value + b)}+${String(b)}x${s.steps - 1}`);
      value += b * s.steps;
    }
    return parts.join(' ');
  };
  const good = (ratio: number) => EVENTS * (1 - ratio);
  const bad = (ratio: number) => EVENTS * ratio;
  if (slo.thresholdSeconds === undefined)
    return [
      {
        series: `voicefleet_edge_agent_calls_total{${labels({ code: '200' })}}`,
        values: counter(good),
      },
      {
        series: `voicefleet_edge_agent_calls_total{${labels({ code: '503' })}}`,
        values: counter(bad),
      },
    ];
  const [metric, extra] =
    slo.name === 'turn-latency'
      ? ['voicefleet_turn_stage_seconds', { stage: 'total' }]
      : ['voicefleet_call_setup_seconds', {}];
  return [
    { series: `${metric}_count{${labels(extra)}}`, values: counter(() => EVENTS) },
    {
      series: `${metric}_bucket{${labels({ ...extra, le: String(slo.thresholdSeconds) })}}`,
      values: counter(good),
    },
  ];
}

function expectedAlert(subject: SloSubject, slo: SloDefinition, rule: AlertingRule) {
  const labels: Record<string, string> = {
    namespace: subject.namespace,
    agent: subject.name,
    region: REGION,
    slo: slo.name,
    ...rule.labels,
  };
  const expand = (text: string) =>
    text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
  return {
    exp_labels: labels,
    exp_annotations: Object.fromEntries(
      Object.entries(rule.annotations).map(([k, v]) => [k, expand(v)]),
    ),
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function seconds(duration: string): number {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}
