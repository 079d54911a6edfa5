// What each SLO of a VoiceAgent counts: its good and bad events as PromQL over the media node's
// and the edge's metrics, per region. Pure; the rules in slo-rules.ts are built from these.
import type { Monitoring, Slo } from '@voicefleet/api';
import { leRegex, promNumber, selector, type Matchers } from './promql.js';

/** The part of a VoiceAgent the SLO rules are made from. */
export interface SloSubject {
  namespace: string;
  name: string;
  slo: Slo;
  monitoring: Monitoring;
}

export const SLO_NAMES = ['turn-latency', 'call-setup', 'answer-success'] as const;
export type SloName = (typeof SLO_NAMES)[number];

/** Every SLO series is per agent and region. */
export const SLO_LABELS = ['namespace', 'agent', 'region'] as const;
const BY = `sum by (${SLO_LABELS.join(', ')})`;

export interface SloDefinition {
  name: SloName;
  /** Alert name, e.g. `VoiceAgentTurnLatencyBudgetBurn`. */
  alert: string;
  objective: number;
  /** Allowed share of bad events: 1 - objective, without binary noise. */
  budget: number;
  /** For latency SLOs: the threshold in seconds (a bucket boundary). */
  thresholdSeconds?: number;
  /** Events per second over `window`, per agent and region. */
  events(window: string): string;
  /** Bad events per second over `window`, per agent and region; 0 (not absent) when none. */
  errors(window: string): string;
  /** Bad events as the objective allows them: "turns to take longer than 1000 ms ...". */
  badEvents: string;
}

/** The statuses the edge answers an offered call with that count for answer success. */
const ANSWERED = '2..';
const NOT_ANSWERED = '5..|408|480';

export function sloDefinitions(subject: SloSubject): SloDefinition[] {
  const { slo } = subject;
  const agent: Matchers = { namespace: subject.namespace, agent: subject.name };
  const rate = (metric: string, matchers: Matchers, window: string) =>
    `${BY} (rate(${metric}${selector({ ...agent, ...matchers })}[${window}]))`;
  const latency = (
    name: SloName,
    alert: string,
    histogram: string,
    matchers: Matchers,
    thresholdMs: number,
    objective: number,
    badEvents: string,
  ): SloDefinition => {
    const seconds = thresholdMs / 1000;
    return {
      name,
      alert,
      objective,
      budget: Number(promNumber(1 - objective)),
      thresholdSeconds: seconds,
      events: (w) => rate(`${histogram}_count`, matchers, w),
      errors: (w) =>
        `(${rate(`${histogram}_count`, matchers, w)} - ${rate(
          `${histogram}_bucket`,
          { ...matchers, 'le=~': leRegex(seconds) },
          w,
        )})`,
      badEvents,
    };
  };
  const calls = 'voicefleet_edge_agent_calls_total';
  return [
    latency(
      'turn-latency',
      'VoiceAgentTurnLatencyBudgetBurn',
      'voicefleet_turn_stage_seconds',
      { stage: 'total' },
      slo.turnLatencyMs,
      slo.turnLatencyObjective,
      `turns to take longer than ${slo.turnLatencyMs} ms from the end of the caller's speech to the first agent audio`,
    ),
    latency(
      'call-setup',
      'VoiceAgentCallSetupBudgetBurn',
      'voicefleet_call_setup_seconds',
      {},
      slo.callSetupMs,
      slo.callSetupObjective,
      `answered calls to take longer than ${slo.callSetupMs} ms from INVITE to 200 OK`,
    ),
    {
      name: 'answer-success',
      alert: 'VoiceAgentAnswerSuccessBudgetBurn',
      objective: slo.answerSuccessObjective,
      budget: Number(promNumber(1 - slo.answerSuccessObjective)),
      events: (w) => rate(calls, { 'code=~': `${ANSWERED}|${NOT_ANSWERED}` }, w),
      errors: (w) =>
        `(${rate(calls, { 'code=~': NOT_ANSWERED }, w)} or 0 * ${rate(
          calls,
          { 'code=~': `${ANSWERED}|${NOT_ANSWERED}` },
          w,
        )})`,
      badEvents: 'calls offered to the agent at the edge to go unanswered (5xx, 408 or 480)',
    },
  ];
}
