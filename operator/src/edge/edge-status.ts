// Pure status decisions of the edge sync: SipTrunk `status.gateways[]` from what the Kamailios
// report, and the `RoutingPublished` condition of agents and trunks.
import type { GatewayStatus, SipTrunk } from '@voicefleet/api';
import type { ConditionInput } from '../runtime/conditions.js';
import type { DestinationHealth } from './actual-state.js';
import type { AgentRouting } from './desired-routing-state.js';

export interface GatewayTransition {
  gateway: string;
  from: GatewayStatus['state'];
  to: GatewayStatus['state'];
}

/**
 * Gateway states for one trunk: Up when any edge sees the destination active, Down when every
 * edge that lists it sees it inactive, Unknown when no edge reported it. `since` moves only on a
 * state change; `lastProbe` is the time of this observation.
 */
export function deriveGatewayStatuses(
  trunk: SipTrunk,
  setId: number | undefined,
  healthByEdge: readonly (readonly DestinationHealth[])[],
  now: Date,
): { gateways: GatewayStatus[]; gatewaysUp: string; transitions: GatewayTransition[] } {
  const previous = new Map((trunk.status?.gateways ?? []).map((g) => [g.name, g]));
  const transitions: GatewayTransition[] = [];
  const stamp = now.toISOString();
  const gateways = trunk.spec.gateways.map((gw): GatewayStatus => {
    const seen = healthByEdge.flatMap((h) =>
      h.filter((d) => d.set === setId && d.duid === gw.name),
    );
    const up = seen.some((d) => d.flag === 'A' || d.flag === 'T');
    const state: GatewayStatus['state'] = seen.length === 0 ? 'Unknown' : up ? 'Up' : 'Down';
    const before = previous.get(gw.name);
    const changed = before?.state !== state;
    if (changed)
      transitions.push({ gateway: gw.name, from: before?.state ?? 'Unknown', to: state });
    const rtts = seen.map((d) => d.rttMs).filter((r): r is number => r !== undefined);
    const status: GatewayStatus = {
      name: gw.name,
      state,
      since: changed || before?.since === undefined ? stamp : before.since,
      lastProbe: stamp,
      lastProbeResult:
        state === 'Up' ? 'OptionsAnswered' : state === 'Down' ? 'OptionsTimedOut' : 'NotProbed',
    };
    if (rtts.length > 0) status.rttMs = Math.round(Math.min(...rtts) * 10) / 10;
    return status;
  });
  const upCount = gateways.filter((g) => g.state === 'Up').length;
  return { gateways, gatewaysUp: `${upCount}/${gateways.length}`, transitions };
}

/** `RoutingPublished` of a VoiceAgent after a round of edge passes. */
export function agentRoutingCondition(
  routing: AgentRouting,
  edges: { total: number; failed: number },
  generation: number | undefined,
): ConditionInput {
  const base = generation !== undefined ? { observedGeneration: generation } : {};
  if (edges.total === 0) {
    return {
      ...base,
      type: 'RoutingPublished',
      status: 'False',
      reason: 'NoEdges',
      message:
        'no Kamailio edge is configured or discovered; check the edge Deployment and the operator edge settings',
    };
  }
  if (edges.failed > 0) {
    return {
      ...base,
      type: 'RoutingPublished',
      status: 'False',
      reason: 'EdgeUnreachable',
      message: `${edges.failed} of ${edges.total} edges did not accept the routing; the operator retries every second`,
    };
  }
  if (routing.conflicts.length > 0) {
    return {
      ...base,
      type: 'RoutingPublished',
      status: 'False',
      reason: 'NumberConflict',
      message: `${routing.conflicts
        .map((c) => `${c.number} is held by the older VoiceAgent ${c.heldBy}`)
        .join(
          '; ',
        )}; these numbers are not routed to this agent: remove them from one of the agents`,
    };
  }
  return {
    ...base,
    type: 'RoutingPublished',
    status: 'True',
    reason: 'Published',
    message: `${routing.numbers.length} numbers routed to ${routing.active} media pods (${routing.draining} draining) on ${edges.total} edges`,
  };
}
