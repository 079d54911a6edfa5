// The local fleet's status table as data: agents with their pools (nodes that are up and the calls
// they carry), trunks with their gateways as the edge's OPTIONS probes see them. Pure: what the
// fleet holds goes in, a FleetSnapshot comes out.
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import { agentKey, decideNumberOwnership, type DestinationHealth } from '@voicefleet/operator';
import { nameOf, nsOf } from './local-pools.js';
import type { NodePhase } from './pool-plan.js';
import type { FleetSnapshot } from './status-table.js';

/**
 * How long after a gateway appears at the edge its first probe has surely been answered or timed
 * out: the chart's edge probes every second (`ds_ping_interval`) and gives a probe 500 ms.
 * Until then the edge lists it as active only because nothing was tried yet.
 */
export const FIRST_PROBE_MS = 2000;

export interface NodeView {
  poolKey: string;
  phase: NodePhase;
  /** The process is gone (killed, crashed or drained): it carries nothing any more. */
  exited: boolean;
  load: { activeCalls: number; capacity: number };
}

export interface SnapshotInput {
  agents: readonly VoiceAgent[];
  trunks: readonly SipTrunk[];
  nodes: readonly NodeView[];
  /** Each pool's size as the fleet's scaler set it, by pool key (absent: its minimum). */
  desired?: ReadonlyMap<string, number>;
  /** The first region's edge: its health readings and when it first listed each destination. */
  gatewayHealth: readonly DestinationHealth[];
  firstListedAtMs: ReadonlyMap<string, number>;
  nowMs: number;
  edge: FleetSnapshot['edge'];
  problems: readonly string[];
}

function gatewayState(
  health: DestinationHealth | undefined,
  firstListedAtMs: number | undefined,
  nowMs: number,
): string {
  if (health === undefined || firstListedAtMs === undefined) return 'Unknown';
  if (health.flag === 'D') return 'Disabled';
  // Probing until the first probe has surely had its answer: for a trunk gateway, until the
  // edge's prober recorded one (probed) and, as for what the dispatcher probes, no sooner than
  // FIRST_PROBE_MS after it was listed (the prober records the answer just before it moves the
  // gateway, so a reading in between would show a failing gateway still active).
  if (health.probed === false || nowMs - firstListedAtMs < FIRST_PROBE_MS) return 'Probing';
  return health.flag === 'I' ? 'Down' : 'Up';
}

export function fleetSnapshot(input: SnapshotInput): FleetSnapshot {
  const ownership = decideNumberOwnership(
    input.agents.map((a) => ({
      namespace: nsOf(a),
      name: nameOf(a),
      creationTimestamp: new Date(0).toISOString(),
      numbers: a.spec.numbers,
    })),
  );
  const agents = input.agents.map((a) => {
    const key = agentKey({ namespace: nsOf(a), name: nameOf(a) });
    const lost = ownership.lost.get(key) ?? [];
    const pools = a.spec.regions.map((r) => {
      const alive = input.nodes.filter((n) => n.poolKey === `${key}/${r.name}` && !n.exited);
      const ready = alive.filter((n) => n.phase === 'ready');
      return {
        region: r.name,
        ready: ready.length,
        desired: input.desired?.get(`${key}/${r.name}`) ?? r.minReplicas,
        activeCalls: alive.reduce((sum, n) => sum + n.load.activeCalls, 0),
        capacity: ready.reduce((sum, n) => sum + n.load.capacity, 0),
      };
    });
    const short = pools.filter((p) => p.ready < p.desired);
    let state = 'Ready';
    if (lost.length > 0)
      state = `NumberConflict: ${lost.map((l) => `${l.number} held by ${l.heldBy}`).join(', ')}`;
    else if (short.length > 0)
      state = `Progressing: ${short.map((p) => `${p.region} ${p.ready}/${p.desired}`).join(', ')}`;
    return { key, numbers: a.spec.numbers, state, pools };
  });
  const trunks = input.trunks.map((t) => ({
    key: `${nsOf(t)}/${nameOf(t)}`,
    gateways: t.spec.gateways.map((g) => {
      const h = input.gatewayHealth.find((d) => d.duid === g.name && d.uri.includes(`:${g.port}`));
      return {
        name: g.name,
        state: gatewayState(h, h && input.firstListedAtMs.get(h.uri), input.nowMs),
      };
    }),
  }));
  return { edge: input.edge, agents, trunks, problems: [...input.problems] };
}
