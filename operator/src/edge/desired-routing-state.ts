// desiredRoutingState: VoiceAgents, SipTrunks, EndpointSlices and drain marks -> the dispatcher
// sets and htables one edge should hold. Pure: no client, no clock.
import { AGENT_LABEL, REGION_LABEL, type SipTrunk, type VoiceAgent } from '@voicefleet/api';
import type { EdgeInputs, EndpointSliceLike } from './edge-inputs.js';
import {
  emptyHtables,
  setKeys,
  type DispatcherDestination,
  type DispatcherSet,
  type RoutingState,
} from './routing-state.js';
import {
  agentKey,
  creationTime,
  decideNumberOwnership,
  type LostNumber,
} from '../voice-agent/number-ownership.js';
import { assignSetIds, type AssignResult } from './set-ids.js';

export interface AgentRouting {
  namespace: string;
  name: string;
  poolSetId: number;
  /** Media destinations taking new calls / draining in this region. */
  active: number;
  draining: number;
  /** Numbers routed (E.164 as written in the spec). */
  numbers: string[];
  /** Numbers this agent claims but an older VoiceAgent holds (as the controller decides). */
  conflicts: LostNumber[];
}

export interface DesiredRouting {
  state: RoutingState;
  setIds: AssignResult;
  agents: AgentRouting[];
}

/** `+14155550100`, `tel:+1-415...`, `0014155550100` -> `14155550100` (what the edge looks up). */
export function normalizeNumber(number: string): string {
  let n = number
    .trim()
    .replace(/^tel:/i, '')
    .replace(/[-.\s()]/g, '');
  if (n.startsWith('+')) n = n.slice(1);
  else if (n.startsWith('00')) n = n.slice(2);
  return n;
}

const nsOf = (o: { metadata?: { namespace?: string } }): string =>
  o.metadata?.namespace ?? 'default';
const nameOf = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';

/** The dispatcher set keys one region's edge holds: a pool per agent, every trunk, the peers. */
export function routingSetKeys(input: Pick<EdgeInputs, 'agents' | 'trunks' | 'region'>): string[] {
  const { agents, trunks, region } = input;
  return [
    ...agents.map((a) => setKeys.pool(nsOf(a), nameOf(a), region.region)),
    ...trunks.map((t) => setKeys.trunk(nsOf(t), nameOf(t))),
    ...(region.peerEdges.length > 0 ? [setKeys.peers()] : []),
  ];
}

/** The routing of one region's edge, its set ids assigned from `input.setIds`. */
export function desiredRoutingState(input: EdgeInputs): DesiredRouting {
  return routingWithSetIds(input, assignSetIds(routingSetKeys(input), input.setIds));
}

/** The routing of one region's edge with set ids already assigned (covering its keys). */
export function routingWithSetIds(input: EdgeInputs, setIds: AssignResult): DesiredRouting {
  const { agents, trunks, region } = input;
  const trunkByKey = new Map(trunks.map((t) => [setKeys.trunk(nsOf(t), nameOf(t)), t]));
  // Every trunk gets a set (its gateways are probed) and its ACL, used by an agent or not.
  const usedTrunkKeys = new Set(trunkByKey.keys());
  const idOf = (key: string): number => setIds.assignment.get(key) ?? 0;
  const sets = new Map<number, DispatcherSet>();
  const htables = emptyHtables();
  const dids = htables.dids as Map<string, string>;

  // A number claimed twice goes to the older claim, as in the VoiceAgent controller's status.
  const ownership = decideNumberOwnership(
    agents.map((a) => ({
      namespace: nsOf(a),
      name: nameOf(a),
      creationTimestamp: creationTime(a.metadata as { creationTimestamp?: string | Date }),
      numbers: a.spec.numbers.map(normalizeNumber),
    })),
  );

  const routed: AgentRouting[] = [];
  for (const agent of [...agents].sort(byNamespacedName)) {
    const ns = nsOf(agent);
    const poolId = idOf(setKeys.pool(ns, nameOf(agent), region.region));
    const runsHere = agent.spec.regions.some((r) => r.name === region.region);
    const destinations = runsHere ? poolDestinations(agent, input) : [];
    if (destinations.length > 0) {
      sets.set(poolId, {
        id: poolId,
        key: setKeys.pool(ns, nameOf(agent), region.region),
        kind: 'pool',
        destinations,
      });
    }
    // The agent's name for the edge's per-agent counters (`voicefleet_edge_agent_calls_total`).
    (htables.names as Map<string, string>).set(String(poolId), `${ns}/${nameOf(agent)}`);
    const numbers: string[] = [];
    const conflicts: LostNumber[] = [];
    const self = agentKey({ namespace: ns, name: nameOf(agent) });
    for (const number of agent.spec.numbers) {
      const n = normalizeNumber(number);
      const holder = ownership.owners.get(n) ?? self;
      if (holder !== self) {
        conflicts.push({ number, heldBy: holder });
        continue;
      }
      dids.set(n, String(poolId));
      numbers.push(number);
    }
    const trunkIds = agent.spec.trunks
      .map((t) => setKeys.trunk(ns, t))
      .filter((k) => trunkByKey.has(k))
      .map(idOf);
    (htables.outbound as Map<string, string>).set(
      String(poolId),
      trunkIds.length > 0 ? trunkIds.join(',') : '0',
    );
    routed.push({
      namespace: ns,
      name: nameOf(agent),
      poolSetId: poolId,
      active: destinations.filter((d) => d.state === 'active').length,
      draining: destinations.filter((d) => d.state === 'disabled').length,
      numbers,
      conflicts,
    });
  }

  for (const key of [...usedTrunkKeys].sort()) {
    const trunk = trunkByKey.get(key);
    if (trunk === undefined) continue;
    addTrunk(idOf(key), key, trunk, input, sets, htables);
  }

  if (region.peerEdges.length > 0) {
    const id = idOf(setKeys.peers());
    sets.set(id, {
      id,
      key: setKeys.peers(),
      kind: 'peers',
      destinations: region.peerEdges.map((edge, i) => ({
        uri: edge.startsWith('sip:') ? edge : `sip:${edge}`,
        state: 'active',
        priority: region.peerEdges.length - i,
        attrs: `duid=peer${i}`,
        probing: true,
      })),
    });
    (htables.edge as Map<string, string>).set('peers', String(id));
  }
  return { state: { sets, htables }, setIds, agents: routed };
}

function byNamespacedName(a: VoiceAgent, b: VoiceAgent): number {
  return `${nsOf(a)}/${nameOf(a)}`.localeCompare(`${nsOf(b)}/${nameOf(b)}`);
}

/** The pool's media destinations from its EndpointSlices: ready ones active, the rest disabled. */
function poolDestinations(agent: VoiceAgent, input: EdgeInputs): DispatcherDestination[] {
  const ns = nsOf(agent);
  const byUri = new Map<string, DispatcherDestination>();
  for (const slice of input.endpointSlices) {
    if (!slicesPool(slice, ns, nameOf(agent), input.region.region)) continue;
    const port =
      slice.ports?.find((p) => p.name === 'sip' && (p.protocol ?? 'UDP') === 'UDP')?.port ??
      slice.ports?.find((p) => p.name === 'sip')?.port;
    if (port === undefined) continue;
    for (const ep of slice.endpoints) {
      const podIp = ep.addresses[0];
      if (podIp === undefined) continue;
      const ip = input.addressMap?.get(podIp) ?? podIp;
      const hostPort = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
      const podKey =
        ep.targetRef?.name !== undefined
          ? `${ep.targetRef.namespace ?? ns}/${ep.targetRef.name}`
          : '';
      const ready = ep.conditions?.ready !== false && ep.conditions?.terminating !== true;
      const drained = input.drainMarks.has(podKey) || input.drainMarks.has(podIp);
      const uri = `sip:${hostPort}`;
      const previous = byUri.get(uri);
      const state = ready && !drained ? 'active' : 'disabled';
      if (previous !== undefined && (previous.state === 'disabled' || state === 'active')) continue;
      byUri.set(uri, {
        uri,
        state,
        priority: 0,
        attrs: `duid=${hostPort};maxload=${agent.spec.capacity.callsPerPod}`,
        probing: true,
      });
    }
  }
  return [...byUri.values()].sort((a, b) => a.uri.localeCompare(b.uri));
}

function slicesPool(slice: EndpointSliceLike, ns: string, agent: string, region: string): boolean {
  if ((slice.metadata?.namespace ?? ns) !== ns) return false;
  const labels = slice.metadata?.labels ?? {};
  return labels[AGENT_LABEL] === agent && labels[REGION_LABEL] === region;
}

function addTrunk(
  id: number,
  key: string,
  trunk: SipTrunk,
  input: EdgeInputs,
  sets: Map<number, DispatcherSet>,
  htables: RoutingState['htables'],
): void {
  const gateways = trunk.spec.gateways;
  const priorities = new Set(gateways.map((g) => g.priority));
  const byWeight = priorities.size === 1 && gateways.length > 1;
  const maxWeight = Math.max(1, ...gateways.map((g) => g.weight));
  sets.set(id, {
    id,
    key,
    kind: 'trunk',
    destinations: gateways.map((g) => {
      const host = g.host.includes(':') ? `[${g.host}]` : g.host;
      const transport = g.transport === 'udp' ? '' : `;transport=${g.transport}`;
      const rweight = Math.min(100, Math.max(1, Math.round((g.weight * 100) / maxWeight)));
      return {
        uri: `sip:${host}:${g.port}${transport}`,
        state: 'active',
        priority: 1000 - g.priority,
        attrs: byWeight ? `duid=${g.name};rweight=${rweight}` : `duid=${g.name}`,
      };
    }),
  });
  const { intervalSeconds, failureThreshold, successThreshold } = trunk.spec.healthCheck;
  const probes = htables.probes as Map<string, string>;
  const destinations = sets.get(id)?.destinations ?? [];
  gateways.forEach((g, i) => {
    const uri = destinations[i]?.uri ?? '';
    probes.set(
      `${id}|${uri}`,
      `${intervalSeconds},${failureThreshold},${successThreshold},${g.name}`,
    );
  });
  // The trunk's name for the edge's per-trunk and per-gateway counters.
  (htables.names as Map<string, string>).set(String(id), `${nsOf(trunk)}/${nameOf(trunk)}`);
  const trunks = htables.trunks as Map<string, string>;
  const codes = trunk.spec.failover.responseCodes;
  trunks.set(`${id}:codes`, `,${codes.filter((c) => c !== 486 && c !== 603).join(',')},`);
  trunks.set(`${id}:timeout`, String(trunk.spec.failover.timeoutMs));
  trunks.set(`${id}:alg`, byWeight ? '11' : '8');
  const cidrs = trunk.spec.inbound?.sourceCidrs ?? [];
  if (cidrs.length > 0) (htables.trunkacl as Map<string, string>).set(String(id), cidrs.join(','));
  const creds = input.credentials.get(`${nsOf(trunk)}/${nameOf(trunk)}`);
  if (creds !== undefined && trunk.spec.outbound?.credentialsSecretRef !== undefined) {
    const table = htables.creds as Map<string, string>;
    table.set(`${id}:user`, creds.username);
    table.set(`${id}:pass`, creds.password);
    if (creds.realm !== undefined && creds.realm !== '') table.set(`${id}:realm`, creds.realm);
  }
}
