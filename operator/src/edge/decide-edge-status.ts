// decideEdgeStatus: what the edge sync writes into status after a round of edge passes (field
// manager voicefleet-edge), as data: each VoiceAgent's RoutingPublished; each SipTrunk's
// `status.gateways[]`, `gatewaysUp` and RoutingPublished; Events on gateway transitions. An object
// gets at most one write, and only when something changed (a steady edge writes nothing but a
// lastProbe refresh every 30 s). Pure.
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import type { EventSpec } from '../kube/events.js';
import type { Stored } from '../kube/stored.js';
import {
  findCondition,
  setCondition,
  type Condition,
  type ConditionInput,
} from '../runtime/conditions.js';
import type { DestinationHealth } from './actual-state.js';
import type { EdgeRouting } from './desired-edge-routing.js';
import { agentRoutingCondition, deriveGatewayStatuses } from './edge-status.js';
import { setKeys } from './routing-state.js';

export const PROBE_REFRESH_MS = 30_000;

/** What one edge reported in its last pass. */
export interface EdgeObservation {
  ok: boolean;
  health: readonly DestinationHealth[];
}

export interface EdgeStatusInput {
  routing: EdgeRouting;
  /** Agents as cached (their live status decides what changed). */
  agents: readonly Stored<VoiceAgent>[];
  /** Trunks with defaults filled in. */
  trunks: readonly Stored<SipTrunk>[];
  edges: readonly EdgeObservation[];
  now: Date;
}

export type StatusWrite =
  | { kind: 'VoiceAgent'; object: Stored<VoiceAgent>; status: { conditions: Condition[] } }
  | { kind: 'SipTrunk'; object: Stored<SipTrunk>; status: Record<string, unknown> };

export interface EdgeStatusDecision {
  writes: StatusWrite[];
  /** Events about trunks (gateway transitions). */
  events: { object: Stored<SipTrunk>; event: EventSpec }[];
}

export function decideEdgeStatus(input: EdgeStatusInput): EdgeStatusDecision {
  const { routing, now } = input;
  const edgeCounts = { total: input.edges.length, failed: input.edges.filter((e) => !e.ok).length };
  const healthy = input.edges.filter((e) => e.ok).map((e) => e.health);
  const writes: StatusWrite[] = [];
  const events: EdgeStatusDecision['events'] = [];

  for (const agent of input.agents) {
    const { namespace, name, generation } = agent.metadata;
    const agentRouting = routing.agents.find((a) => a.namespace === namespace && a.name === name);
    if (agentRouting === undefined) continue;
    const condition = agentRoutingCondition(agentRouting, edgeCounts, generation);
    if (!conditionChanged(agent.status?.conditions, condition)) continue;
    writes.push({
      kind: 'VoiceAgent',
      object: agent,
      status: { conditions: [withTime(agent.status?.conditions, condition, now)] },
    });
  }

  for (const trunk of input.trunks) {
    const { namespace, name, generation } = trunk.metadata;
    const setId = routing.setIds.assignment.get(setKeys.trunk(namespace, name));
    const { gateways, gatewaysUp, transitions } = deriveGatewayStatuses(trunk, setId, healthy, now);
    const published = trunkPublished(edgeCounts, generation);
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
    writes.push({
      kind: 'SipTrunk',
      object: trunk,
      status: {
        gateways,
        gatewaysUp,
        conditions: [withTime(trunk.status?.conditions, published, now)],
      },
    });
    for (const t of transitions) {
      if (t.from === 'Unknown' && t.to === 'Up') continue;
      events.push({
        object: trunk,
        event:
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
      });
    }
  }
  return { writes, events };
}

function trunkPublished(
  edges: { total: number; failed: number },
  generation: number | undefined,
): ConditionInput {
  const condition: ConditionInput =
    edges.total > 0 && edges.failed === 0
      ? {
          type: 'RoutingPublished',
          status: 'True',
          reason: 'Published',
          message: `gateways published to ${edges.total} edges`,
        }
      : {
          type: 'RoutingPublished',
          status: 'False',
          reason: edges.total === 0 ? 'NoEdges' : 'EdgeUnreachable',
          message: 'not every edge holds this trunk yet; the operator retries every second',
        };
  return generation === undefined ? condition : { ...condition, observedGeneration: generation };
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
