// Writes what the edge sync owns into status (field manager voicefleet-edge): SipTrunk
// `status.gateways[]` + `gatewaysUp` + RoutingPublished, VoiceAgent RoutingPublished; Events on
// gateway transitions. Writes only what changed (a steady edge writes nothing but a periodic
// lastProbe refresh every 30 s).
import {
  GROUP,
  SIP_TRUNK_KIND,
  SIP_TRUNK_PLURAL,
  VERSION,
  VOICE_AGENT_KIND,
  VOICE_AGENT_PLURAL,
  type SipTrunk,
  type VoiceAgent,
} from '@voicefleet/api';
import type { Applier } from '../kube/apply.js';
import {
  findCondition,
  setCondition,
  type Condition,
  type ConditionInput,
} from '../runtime/conditions.js';
import type { EventRecorder } from '../kube/events.js';
import type { DestinationHealth } from './actual-state.js';
import type { DesiredRouting } from './desired-routing-state.js';
import { agentRoutingCondition, deriveGatewayStatuses } from './edge-status.js';
import { setKeys } from './routing-state.js';

const PROBE_REFRESH_MS = 30_000;

export interface PublishInput {
  desired: DesiredRouting;
  agents: readonly VoiceAgent[];
  trunks: readonly SipTrunk[];
  edges: ReadonlyArray<{ ok: boolean; health: readonly DestinationHealth[] }>;
  applier: Applier;
  events: EventRecorder;
  now: Date;
}

export async function publishEdgeStatus(input: PublishInput): Promise<void> {
  const { desired, now } = input;
  const edgeCounts = { total: input.edges.length, failed: input.edges.filter((e) => !e.ok).length };
  const healthy = input.edges.filter((e) => e.ok).map((e) => e.health);

  for (const agent of input.agents) {
    const routing = desired.agents.find(
      (a) =>
        a.namespace === (agent.metadata.namespace ?? 'default') && a.name === agent.metadata.name,
    );
    if (routing === undefined) continue;
    const condition = agentRoutingCondition(routing, edgeCounts, agent.metadata.generation);
    if (!conditionChanged(agent.status?.conditions, condition)) continue;
    await input.applier.applyStatus(
      {
        group: GROUP,
        version: VERSION,
        plural: VOICE_AGENT_PLURAL,
        kind: VOICE_AGENT_KIND,
        namespace: agent.metadata.namespace ?? 'default',
        name: agent.metadata.name ?? '',
      },
      { conditions: [withTime(agent.status?.conditions, condition, now)] },
    );
  }

  for (const trunk of input.trunks) {
    const namespace = trunk.metadata.namespace ?? 'default';
    const setId = desired.setIds.assignment.get(
      setKeys.trunk(namespace, trunk.metadata.name ?? ''),
    );
    const { gateways, gatewaysUp, transitions } = deriveGatewayStatuses(trunk, setId, healthy, now);
    const published: ConditionInput =
      edgeCounts.total > 0 && edgeCounts.failed === 0
        ? {
            type: 'RoutingPublished',
            status: 'True',
            reason: 'Published',
            message: `gateways published to ${edgeCounts.total} edges`,
          }
        : {
            type: 'RoutingPublished',
            status: 'False',
            reason: edgeCounts.total === 0 ? 'NoEdges' : 'EdgeUnreachable',
            message: 'not every edge holds this trunk yet; the operator retries every second',
          };
    if (trunk.metadata.generation !== undefined)
      published.observedGeneration = trunk.metadata.generation;
    const previous = trunk.status?.gateways ?? [];
    const stale = previous.some(
      (g) =>
        g.lastProbe === undefined || now.getTime() - Date.parse(g.lastProbe) > PROBE_REFRESH_MS,
    );
    const statesChanged =
      transitions.length > 0 ||
      previous.length !== gateways.length ||
      previous.some(
        (g, i) =>
          g.rttMs !== gateways[i]?.rttMs &&
          Math.abs((g.rttMs ?? 0) - (gateways[i]?.rttMs ?? 0)) > 5,
      );
    if (
      !statesChanged &&
      !stale &&
      trunk.status?.gatewaysUp === gatewaysUp &&
      !conditionChanged(trunk.status?.conditions, published)
    )
      continue;
    await input.applier.applyStatus(
      {
        group: GROUP,
        version: VERSION,
        plural: SIP_TRUNK_PLURAL,
        kind: SIP_TRUNK_KIND,
        namespace,
        name: trunk.metadata.name ?? '',
      },
      { gateways, gatewaysUp, conditions: [withTime(trunk.status?.conditions, published, now)] },
    );
    for (const t of transitions) {
      if (t.from === 'Unknown' && t.to === 'Up') continue;
      await input.events.record(
        {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: SIP_TRUNK_KIND,
          namespace,
          name: trunk.metadata.name ?? '',
          uid: trunk.metadata.uid ?? '',
        },
        t.to === 'Down'
          ? {
              type: 'Warning',
              reason: 'GatewayDown',
              message: `gateway ${t.gateway} stopped answering OPTIONS probes`,
            }
          : {
              type: 'Normal',
              reason: 'GatewayUp',
              message: `gateway ${t.gateway} answers OPTIONS probes again`,
            },
        now,
      );
    }
  }
}

function conditionChanged(
  existing: readonly Condition[] | undefined,
  next: ConditionInput,
): boolean {
  const c = findCondition(existing, next.type);
  return (
    c === undefined ||
    c.status !== next.status ||
    c.reason !== next.reason ||
    c.message !== next.message ||
    c.observedGeneration !== next.observedGeneration
  );
}

function withTime(
  existing: readonly Condition[] | undefined,
  next: ConditionInput,
  now: Date,
): Condition {
  const merged = setCondition(existing ?? [], next, now);
  return merged.find((c) => c.type === next.type) as Condition;
}
