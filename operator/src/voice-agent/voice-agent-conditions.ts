// The VoiceAgent's own conditions (Ready, Progressing, Degraded, NumberConflict) derived from
// the per-region pool state. Pure; `eventMessage` is a PII-free variant for Events.
import type { V1Deployment } from '@kubernetes/client-node';
import type { ConditionInput } from '../runtime/conditions.js';
import type { ReferenceProblem } from './agent-references.js';
import type { LostNumber } from './number-ownership.js';
import type { PodProblem } from './pod-problems.js';

export type AgentCondition = ConditionInput & { eventMessage?: string };

export interface RegionState {
  region: string;
  desired: number;
  /** Ready pods the region needs to take calls: its minimum (at least one), or fewer if fewer are wanted. */
  minReady: number;
  live: V1Deployment | undefined;
  desiredTemplate: V1Deployment;
  /** Why the region's media pods do not run, from their container statuses. */
  podProblem?: PodProblem | undefined;
}

export interface AgentConditionInput {
  generation: number;
  states: readonly RegionState[];
  invalid: readonly string[];
  /** Trunks and Secrets the agent names that do not resolve. */
  problems: readonly ReferenceProblem[];
  lostNumbers: readonly LostNumber[];
  anyOwned: boolean;
  ownedRegions: readonly string[];
  /** Regions of the spec another operator instance runs (named in the Ready message). */
  notOwned: readonly string[];
  /** What works only in part (a trunk whose credentials cannot be read): Degraded. */
  degradations?: readonly { reason: string; message: string }[];
}

export function deriveAgentConditions(input: AgentConditionInput): AgentCondition[] {
  const g = input.generation;
  const cond = (
    type: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
    eventMessage?: string,
  ): AgentCondition => ({
    type,
    status,
    reason,
    message,
    observedGeneration: g,
    ...(eventMessage !== undefined ? { eventMessage } : {}),
  });

  const holders = [...new Set(input.lostNumbers.map((l) => l.heldBy))].sort();
  const conflict =
    holders.length > 0
      ? cond(
          'NumberConflict',
          'True',
          'NumberConflict',
          `numbers ${input.lostNumbers.map((l) => l.number).join(', ')} are already claimed by the older ` +
            `VoiceAgent ${holders.join(', ')}; remove them from one of the agents`,
          `${input.lostNumbers.length} number(s) are already claimed by the older VoiceAgent ${holders.join(', ')}`,
        )
      : cond('NumberConflict', 'False', 'NoConflict', 'every number of this agent is routed to it');

  // A pool scaling up on calls is Progressing, not unready: Ready asks for the minimum only.
  const notReady = input.states.filter((s) => (s.live?.status?.readyReplicas ?? 0) < s.minReady);
  const rolling = input.states.filter((s) => isRollingOut(s));
  const failing = input.states.filter((s) => isFailing(s.live));
  const broken = input.states.filter((s) => s.podProblem !== undefined);

  let ready: AgentCondition;
  if (input.invalid.length > 0) {
    ready = cond('Ready', 'False', 'InvalidSpec', `fix the spec: ${input.invalid.join('; ')}`);
  } else if (!input.anyOwned) {
    ready = cond(
      'Ready',
      'False',
      'NoOwnedRegion',
      `none of the agent's regions is run by this operator (it runs: ${input.ownedRegions.join(', ') || 'none'}); ` +
        "add one of those regions or install an operator for the agent's region",
    );
  } else if (input.problems.length > 0) {
    ready = cond(
      'Ready',
      'False',
      input.problems[0]?.reason ?? 'InvalidReference',
      input.problems.map((p) => p.message).join('; '),
    );
  } else if (holders.length > 0) {
    ready = { ...conflict, type: 'Ready', status: 'False' };
  } else if (notReady.length > 0 && broken.length > 0) {
    ready = cond(
      'Ready',
      'False',
      broken[0]?.podProblem?.reason ?? 'PodsFailing',
      broken.map((s) => `region ${s.region}: ${s.podProblem?.message ?? ''}`).join('; '),
    );
  } else if (notReady.length > 0) {
    ready = cond(
      'Ready',
      'False',
      'PodsNotReady',
      notReady
        .map(
          (s) =>
            `region ${s.region}: ${s.live?.status?.readyReplicas ?? 0}/${s.minReady} media pods ready`,
        )
        .join('; '),
    );
  } else {
    ready = cond('Ready', 'True', 'PodsReady', 'all owned regions have their media pods ready');
  }

  const scaling = input.states.filter((s) => !isRollingOut(s) && isScaling(s));
  const progressing =
    rolling.length > 0
      ? cond(
          'Progressing',
          'True',
          'RollingOut',
          `rolling out in ${rolling.map((s) => s.region).join(', ')}`,
        )
      : scaling.length > 0
        ? cond(
            'Progressing',
            'True',
            'Scaling',
            scaling
              .map(
                (s) =>
                  `region ${s.region}: ${s.live?.status?.readyReplicas ?? 0} -> ${s.desired} media pods`,
              )
              .join('; '),
          )
        : cond('Progressing', 'False', 'Complete', 'every media pool runs the current spec');
  // Every cause at once, the first one's reason: pods that cannot run, then trunks that cannot
  // authenticate, then what only the Deployment reports.
  const causes = [
    ...broken.flatMap((s) =>
      s.podProblem === undefined
        ? []
        : [{ reason: s.podProblem.reason, message: `region ${s.region}: ${s.podProblem.message}` }],
    ),
    ...(input.degradations ?? []),
    ...(failing.length > 0
      ? [
          {
            reason: 'PodsFailing',
            message:
              `media pods cannot be created or started in ${failing.map((s) => s.region).join(', ')}; ` +
              'check the Deployment events (image, quota, scheduling)',
          },
        ]
      : []),
  ];
  const degraded =
    causes[0] !== undefined
      ? cond('Degraded', 'True', causes[0].reason, causes.map((c) => c.message).join('; '))
      : cond('Degraded', 'False', 'AsExpected', 'no media pool is failing');
  if (input.notOwned.length > 0 && ready.reason !== 'NoOwnedRegion') {
    ready = {
      ...ready,
      message: `${ready.message}; not run by this operator: ${input.notOwned.join(', ')}`,
    };
  }
  return [ready, progressing, degraded, conflict];
}

/** The pods do not all run the current template yet. */
function isRollingOut(s: RegionState): boolean {
  const live = s.live;
  if (live === undefined) return true;
  const st = live.status ?? {};
  return (
    (st.observedGeneration ?? 0) < (live.metadata?.generation ?? 0) ||
    (st.updatedReplicas ?? 0) < Math.min(s.desired, st.replicas ?? 0) ||
    (st.replicas ?? 0) > (st.updatedReplicas ?? 0)
  );
}

/** The pool is on its way to another size. */
function isScaling(s: RegionState): boolean {
  const st = s.live?.status ?? {};
  return (st.readyReplicas ?? 0) < s.desired || (st.replicas ?? 0) > s.desired;
}

function isFailing(live: V1Deployment | undefined): boolean {
  const conditions = live?.status?.conditions ?? [];
  return conditions.some(
    (c) =>
      (c.type === 'ReplicaFailure' && c.status === 'True') ||
      (c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded'),
  );
}
