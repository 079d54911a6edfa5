// decideVoiceAgent: the pure core of the VoiceAgent reconcile. From the agent, the regions this
// instance owns, the numbers it lost to older agents and the live Deployments, it returns the
// desired children, the status (and whether it differs from the live one) and the Events.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
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
import { renderMediaNodeConfig, type MediaNodeConfigOptions } from './media-node-config.js';
import type { LostNumber } from './number-ownership.js';
import { poolReplicas } from './pool-replicas.js';
import type { VoiceAgentObject } from '../resources.js';
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
] as const;

export interface VoiceAgentInput {
  agent: VoiceAgentObject;
  ownedRegions: readonly string[];
  lostNumbers: readonly LostNumber[];
  /** Live Deployment per owned region (from the cache), undefined when it does not exist yet. */
  deployments: ReadonlyMap<string, V1Deployment | undefined>;
  options: ChildOptions & MediaNodeConfigOptions;
  now: Date;
}

export interface RegionStatus {
  name: string;
  desiredReplicas: number;
  readyReplicas: number;
  activeCalls: number;
  capacity: number;
}

export interface VoiceAgentStatusOut {
  observedGeneration: number;
  conditions: Condition[];
  regions: RegionStatus[];
  activeCalls: number;
  regionsSummary: string;
}

export interface VoiceAgentDecision {
  children: KubernetesObject[];
  status: VoiceAgentStatusOut;
  statusChanged: boolean;
  events: EventSpec[];
  requeueAfterMs?: number;
}

export function decideVoiceAgent(input: VoiceAgentInput): VoiceAgentDecision {
  const { agent, now } = input;
  const generation = agent.metadata.generation ?? 0;
  const owned = new Set(input.ownedRegions);
  const children: KubernetesObject[] = [];
  const regions: RegionStatus[] = [];
  const states: RegionState[] = [];
  const invalid: string[] = [];
  const notOwned: string[] = [];

  for (const region of agent.spec.regions) {
    if (!owned.has(region.name)) {
      notOwned.push(region.name);
      continue;
    }
    if (region.minReplicas > region.maxReplicas) {
      invalid.push(
        `region ${region.name}: minReplicas ${region.minReplicas} > maxReplicas ${region.maxReplicas}`,
      );
      continue;
    }
    const live = input.deployments.get(region.name);
    const replicas = poolReplicas(0, { ...agent.spec.capacity, ...region });
    const config = renderMediaNodeConfig(agent, region.name, input.options);
    const ctx = { agent, region: region.name, replicas, config, options: input.options };
    const deployment = desiredDeployment(ctx);
    children.push(
      desiredConfigMap(ctx),
      desiredService(ctx),
      desiredPodDisruptionBudget(ctx),
      deployment,
    );
    const readyReplicas = live?.status?.readyReplicas ?? 0;
    regions.push({
      name: region.name,
      desiredReplicas: replicas,
      readyReplicas,
      activeCalls: 0,
      capacity: readyReplicas * agent.spec.capacity.callsPerPod,
    });
    states.push({ region: region.name, desired: replicas, live, desiredTemplate: deployment });
  }

  const derived = deriveAgentConditions({
    generation,
    states,
    invalid,
    lostNumbers: input.lostNumbers,
    anyOwned: agent.spec.regions.some((r) => owned.has(r.name)),
    ownedRegions: input.ownedRegions,
    notOwned,
  });
  const liveConditions = pickConditions(agent.status?.conditions ?? [], AGENT_CONDITION_TYPES);
  const next: ConditionInput[] = derived.map(({ eventMessage: _ignored, ...c }) => c);
  const conditions = mergeConditions(liveConditions, next, now);
  const status: VoiceAgentStatusOut = {
    observedGeneration: generation,
    conditions,
    regions,
    activeCalls: regions.reduce((n, r) => n + r.activeCalls, 0),
    regionsSummary: regions.map((r) => r.name).join(','),
  };
  return {
    children,
    status,
    statusChanged: !sameAgentStatus(agent, status),
    events: transitionEvents(liveConditions, derived),
  };
}

function sameAgentStatus(agent: VoiceAgentObject, s: VoiceAgentStatusOut): boolean {
  const live = agent.status;
  if (live === undefined) return false;
  return (
    live.observedGeneration === s.observedGeneration &&
    live.activeCalls === s.activeCalls &&
    (live.regionsSummary ?? '') === s.regionsSummary &&
    stableStringify((live.regions ?? []) as never) === stableStringify(s.regions as never) &&
    sameConditions(pickConditions(live.conditions ?? [], AGENT_CONDITION_TYPES), s.conditions)
  );
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

const WARNING_READY_REASONS = new Set(['InvalidSpec', 'NoOwnedRegion']);
