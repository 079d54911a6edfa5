// desiredEdgeRouting: the routing of every region this operator owns, one edge (or several) per
// region. Set ids are assigned once over all regions' keys, so the one persisted assignment serves
// every edge; each region's edge gets only its own pools (and the trunks and peers). Pure.
import type { AgentRouting, DesiredRouting } from './desired-routing-state.js';
import { routingSetKeys, routingWithSetIds } from './desired-routing-state.js';
import type { EdgeInputs, RegionConfig } from './edge-inputs.js';
import { assignSetIds, type AssignResult } from './set-ids.js';

export interface EdgeRouting {
  /** Routing state per owned region. */
  byRegion: ReadonlyMap<string, DesiredRouting>;
  /** The one assignment for every region's keys, and whether it must be persisted. */
  setIds: AssignResult;
  /** Each agent's routing summed over the regions (media pods active and draining). */
  agents: AgentRouting[];
}

export function desiredEdgeRouting(
  input: Omit<EdgeInputs, 'region'>,
  regions: readonly RegionConfig[],
): EdgeRouting {
  const keys = regions.flatMap((region) => routingSetKeys({ ...input, region }));
  const setIds = assignSetIds(keys, input.setIds);
  const byRegion = new Map(
    regions.map((region) => [region.region, routingWithSetIds({ ...input, region }, setIds)]),
  );
  return { byRegion, setIds, agents: sumAgents([...byRegion.values()]) };
}

function sumAgents(routings: readonly DesiredRouting[]): AgentRouting[] {
  const byKey = new Map<string, AgentRouting>();
  for (const routing of routings) {
    for (const a of routing.agents) {
      const key = `${a.namespace}/${a.name}`;
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, { ...a });
      else {
        seen.active += a.active;
        seen.draining += a.draining;
      }
    }
  }
  return [...byKey.values()];
}
