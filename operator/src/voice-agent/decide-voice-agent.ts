// decideVoiceAgent: the pure core of the VoiceAgent reconcile. From the agent (defaults filled in,
// with what admission would reject in it), whether its trunks and Secrets exist, the regions this
// instance owns, the numbers it lost to older agents, the live Deployments and each pool's pods
// (their container statuses and the calls they report), it returns the desired children (each
// pool sized by ../scaling/), the pod-deletion-cost patches, the status (and whether to write it
// now) and the Events.
import type { KubernetesObject, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { FieldError, RegionStatus, VoiceAgent, VoiceAgentStatus } from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';
import { stableStringify } from '../runtime/apply-diff.js';
import {
  mergeConditions,
  pickConditions,
  sameConditions,
  type Condition,
  type ConditionInput,
} from '../runtime/conditions.js';
import type { EventSpec } from '../kube/events.js';
import {
  desiredConfigMap,
  desiredDeployment,
  desiredPodDisruptionBudget,
  desiredService,
  type ChildOptions,
} from './desired-children.js';
import {
  MONITORING_CONDITION,
  desiredMonitoring,
  monitoringCondition,
} from './desired-monitoring.js';
import { desiredNetworkPolicy } from './desired-network-policy.js';
import { renderMediaNodeConfig, type MediaNodeConfigOptions } from './media-node-config.js';
import {
  referenceProblems,
  trunkSecretProblems,
  type AgentReferences,
} from './agent-references.js';
import type { LostNumber } from './number-ownership.js';
import { podProblem } from './pod-problems.js';
import type { CostPatch } from '../scaling/pod-deletion-cost.js';
import type { MediaPod } from '../scaling/pool-load.js';
import { decidePool, type ScaleStep } from '../scaling/decide-pool.js';
import {
  deriveAgentConditions,
  type AgentCondition,
  type RegionState,
} from './voice-agent-conditions.js';

export const AGENT_CONDITION_TYPES = [
  'Ready',
  'Progressing',
  'Degraded',
  'NumberConflict',
  MONITORING_CONDITION,
] as const;

/** Conditions a pass states only sometimes (monitoring only when managed): dropped when unstated. */
const OPTIONAL_CONDITION_TYPES: readonly string[] = [MONITORING_CONDITION];

export interface VoiceAgentInput {
  /** The agent with every schema default filled in. */
  agent: Stored<VoiceAgent>;
  /** What admission would have rejected in the agent (none on a server with the CRD's rules). */
  specErrors: readonly FieldError[];
  /** Whether the SipTrunks and Secrets the agent names exist. */
  references: AgentReferences;
  ownedRegions: readonly string[];
  lostNumbers: readonly LostNumber[];
  /** Live Deployment per owned region (from the cache), undefined when it does not exist yet. */
  deployments: ReadonlyMap<string, V1Deployment | undefined>;
  /** The media pods per owned region (from the cache); absent when the operator does not watch pods. */
  mediaPods?: ReadonlyMap<string, readonly V1Pod[]>;
  /** Each owned region's media pods with the calls they report. */
  pods: ReadonlyMap<string, readonly MediaPod[]>;
  /** When the operator last changed this agent's status (undefined: never, or not known). */
  statusWrittenAt: Date | undefined;
  options: ChildOptions & MediaNodeConfigOptions;
  now: Date;
}

/**
 * A status change that only moves call counts (calls, capacity, the scaler's wording) waits this
 * long after the last status write: the `Calls` column follows calls within seconds without a
 * write per call. Everything else (sizes, readiness, conditions, why a size is limited) is
 * written at once.
 */
export const COUNTER_WRITE_INTERVAL_MS = 5000;

export type VoiceAgentStatusOut = Required<VoiceAgentStatus> & { conditions: Condition[] };

export interface VoiceAgentDecision {
  children: KubernetesObject[];
  /** pod-deletion-cost patches, so that a scale-down removes the emptiest pods. */
  costPatches: CostPatch[];
  /** The pools whose size this decision changes. */
  scaled: ScaleStep[];
  /** The conditions as decided, before the merge with the live ones. */
  conditions: AgentCondition[];
  status: VoiceAgentStatusOut;
  statusChanged: boolean;
  events: EventSpec[];
  requeueAfterMs?: number;
}

export function decideVoiceAgent(input: VoiceAgentInput): VoiceAgentDecision {
  const { agent } = input;
  const generation = agent.metadata.generation ?? 0;
  const owned = new Set(input.ownedRegions);
  const children: KubernetesObject[] = [];
  const regions: RegionStatus[] = [];
  const states: RegionState[] = [];
  const invalid = input.specErrors.map((e) =>
    e.path === '' ? e.message : `${e.path}: ${e.message}`,
  );
  const notOwned: string[] = [];
  const costPatches: CostPatch[] = [];
  const scaleEvents: EventSpec[] = [];
  const scaled: ScaleStep[] = [];
  const requeues: number[] = [];

  for (const region of invalid.length > 0 ? [] : agent.spec.regions) {
    if (!owned.has(region.name)) {
      notOwned.push(region.name);
      continue;
    }
    const live = input.deployments.get(region.name);
    const pool = decidePool({
      region,
      capacity: agent.spec.capacity,
      deployment: live,
      pods: input.pods.get(region.name) ?? [],
      live: agent.status?.regions?.find((r) => r.name === region.name),
      now: input.now,
    });
    const config = renderMediaNodeConfig(agent, region.name, input.options);
    const ctx = {
      agent,
      region: region.name,
      replicas: pool.replicas,
      config,
      options: input.options,
    };
    const deployment = desiredDeployment(ctx);
    children.push(
      desiredConfigMap(ctx),
      desiredService(ctx),
      desiredPodDisruptionBudget(ctx),
      deployment,
    );
    const { networkPolicy } = input.options;
    if (networkPolicy !== undefined) children.push(desiredNetworkPolicy(ctx, networkPolicy));
    regions.push(pool.status);
    costPatches.push(...pool.costPatches);
    scaleEvents.push(...pool.events);
    if (pool.scaled !== undefined) scaled.push(pool.scaled);
    if (pool.requeueAfterMs !== undefined) requeues.push(pool.requeueAfterMs);
    states.push({
      region: region.name,
      desired: pool.status.desiredReplicas,
      minReady: Math.min(pool.status.desiredReplicas, Math.max(1, region.minReplicas)),
      live,
      desiredTemplate: deployment,
      podProblem: podProblem(input.mediaPods?.get(region.name) ?? []),
    });
  }

  // One set per agent (not per region): its SLO rules group by region themselves.
  const { monitoring } = input.options;
  if (monitoring !== undefined && states.length > 0)
    children.push(...desiredMonitoring(agent, monitoring));

  const derived = deriveAgentConditions({
    generation,
    states,
    invalid,
    problems: invalid.length > 0 ? [] : referenceProblems(agent, input.references),
    lostNumbers: input.lostNumbers,
    anyOwned: invalid.length > 0 || agent.spec.regions.some((r) => owned.has(r.name)),
    ownedRegions: input.ownedRegions,
    notOwned,
    degradations: invalid.length > 0 ? [] : trunkSecretProblems(agent, input.references),
  });
  if (monitoring !== undefined && states.length > 0)
    derived.push(monitoringCondition(agent, monitoring));
  const decision = finishDecision(input, children, regions, derived);
  if (decision.requeueAfterMs !== undefined) requeues.push(decision.requeueAfterMs);
  return {
    ...decision,
    costPatches,
    scaled,
    events: [...scaleEvents, ...decision.events],
    ...(requeues.length > 0 ? { requeueAfterMs: Math.min(...requeues) } : {}),
  };
}

/**
 * The decision once the API server refused a child (422: a value only it checks, such as a
 * Secret key a Deployment's env cannot name): no retry, `Ready=False` says what was refused. Pure.
 */
export function decideRejectedChild(
  input: VoiceAgentInput,
  decision: VoiceAgentDecision,
  rejected: { kind: string; name: string; message: string },
): VoiceAgentDecision {
  const ready: AgentCondition = {
    type: 'Ready',
    status: 'False',
    reason: 'ChildRejected',
    message: `the API server rejected ${rejected.kind} ${rejected.name}: ${rejected.message}; fix the agent's spec`,
    observedGeneration: input.agent.metadata.generation ?? 0,
  };
  const derived = decision.conditions.map((c) => (c.type === 'Ready' ? ready : c));
  return finishDecision(input, [], decision.status.regions, derived);
}

/** The decision when deciding itself failed: `Ready=False` with the cause, instead of retrying. */
export function decideFailure(input: VoiceAgentInput, error: unknown): VoiceAgentDecision {
  const cause = error instanceof Error ? error.message : String(error);
  return finishDecision(
    input,
    [],
    [],
    [
      {
        type: 'Ready',
        status: 'False',
        reason: 'InvalidSpec',
        message: `cannot reconcile this agent (${cause}); compare its spec with \`kubectl explain voiceagent.spec\``,
        observedGeneration: input.agent.metadata.generation ?? 0,
      },
    ],
  );
}

function finishDecision(
  input: VoiceAgentInput,
  children: KubernetesObject[],
  regions: RegionStatus[],
  derived: AgentCondition[],
): VoiceAgentDecision {
  const { agent, now } = input;
  const liveConditions = pickConditions(
    agent.status?.conditions ?? [],
    AGENT_CONDITION_TYPES,
  ).filter(
    (c) => !OPTIONAL_CONDITION_TYPES.includes(c.type) || derived.some((d) => d.type === c.type),
  );
  const next: ConditionInput[] = derived.map(({ eventMessage: _ignored, ...c }) => c);
  const conditions = mergeConditions(liveConditions, next, now);
  const status: VoiceAgentStatusOut = {
    observedGeneration: agent.metadata.generation ?? 0,
    conditions,
    regions,
    activeCalls: regions.reduce((n, r) => n + r.activeCalls, 0),
    regionsSummary: regions.map((r) => r.name).join(','),
  };
  const write = statusWrite(agent, status, input.statusWrittenAt, now);
  return {
    children,
    costPatches: [],
    scaled: [],
    conditions: derived,
    status,
    statusChanged: write.now,
    events: transitionEvents(liveConditions, derived),
    ...(write.afterMs !== undefined ? { requeueAfterMs: write.afterMs } : {}),
  };
}

/** Whether to write the status now, or (only call counts moved) in how many milliseconds. */
function statusWrite(
  agent: Stored<VoiceAgent>,
  s: VoiceAgentStatusOut,
  writtenAt: Date | undefined,
  now: Date,
): { now: boolean; afterMs?: number } {
  const live = agent.status;
  if (live === undefined) return { now: true };
  const same =
    live.observedGeneration === s.observedGeneration &&
    (live.regionsSummary ?? '') === s.regionsSummary &&
    stableStringify((live.regions ?? []).map(withoutCounters)) ===
      stableStringify(s.regions.map(withoutCounters)) &&
    sameConditions(pickConditions(live.conditions ?? [], AGENT_CONDITION_TYPES), s.conditions);
  if (!same) return { now: true };
  const countersSame =
    live.activeCalls === s.activeCalls &&
    stableStringify(live.regions ?? []) === stableStringify(s.regions);
  if (countersSame) return { now: false };
  const wait =
    writtenAt === undefined ? 0 : writtenAt.getTime() + COUNTER_WRITE_INTERVAL_MS - now.getTime();
  return wait <= 0 ? { now: true } : { now: false, afterMs: wait };
}

/** A region's status without what moves with every call. */
function withoutCounters(r: RegionStatus): Partial<RegionStatus> {
  const { activeCalls: _a, drainingCalls: _d, capacity: _c, scaleReason: _s, ...rest } = r;
  return rest;
}

/**
 * Events for transitions a user acts on: Ready, a conflict, an invalid spec, degradation.
 * Progress (pods not ready yet) is not an Event. Messages carry no phone numbers.
 */
function transitionEvents(
  live: readonly Condition[],
  next: readonly AgentCondition[],
): EventSpec[] {
  const events: EventSpec[] = [];
  for (const c of next) {
    const prev = live.find((l) => l.type === c.type);
    if (prev !== undefined && prev.status === c.status && prev.reason === c.reason) continue;
    const message = c.eventMessage ?? c.message;
    if (c.type === 'Ready' && c.status === 'True') {
      events.push({ type: 'Normal', reason: 'Ready', message });
    } else if (c.type === 'Ready' && WARNING_READY_REASONS.has(c.reason)) {
      events.push({ type: 'Warning', reason: c.reason, message });
    } else if ((c.type === 'NumberConflict' || c.type === 'Degraded') && c.status === 'True') {
      events.push({ type: 'Warning', reason: c.reason, message });
    }
  }
  return events;
}

const WARNING_READY_REASONS = new Set([
  'InvalidSpec',
  'NoOwnedRegion',
  'TrunkNotFound',
  'SecretNotFound',
  'SecretKeyMissing',
  'ChildRejected',
]);
