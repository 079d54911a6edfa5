// Reading what a Kamailio holds: `dispatcher.list` and `htable.dump` answers parsed into a
// RoutingState, plus each destination's health as Kamailio sees it.
import {
  HTABLES,
  emptyHtables,
  type DispatcherSet,
  type Htables,
  type RoutingState,
} from './routing-state.js';

export interface DestinationHealth {
  set: number;
  uri: string;
  duid: string;
  /** First flag letter: A active, I inactive, T trying, D disabled. */
  flag: 'A' | 'I' | 'T' | 'D';
  probing: boolean;
  /** Average OPTIONS round trip in ms when Kamailio reports latency stats. */
  rttMs?: number;
  /** Calls in progress through this destination (call-load algorithm). */
  load: number;
  /**
   * For a trunk gateway (probed by the edge's trunk prober, not the dispatcher): whether a probe
   * has been answered or timed out yet. Until then its active flag says only that nothing was
   * tried.
   */
  probed?: boolean;
}

interface ListDest {
  DEST?: {
    URI?: string;
    FLAGS?: string;
    PRIORITY?: number;
    ATTRS?: { BODY?: string; DUID?: string };
    LATENCY?: { AVG?: number };
    RUNTIME?: { DLGLOAD?: number };
  };
}

interface ListAnswer {
  RECORDS?: Array<{ SET?: { ID?: number; TARGETS?: ListDest[] } }>;
}

export interface ParsedList {
  sets: Map<number, DispatcherSet>;
  health: DestinationHealth[];
}

/** Parses `dispatcher.list` (an RPC error "No Destination Sets" means an empty list). */
export function parseDispatcherList(answer: unknown): ParsedList {
  const sets = new Map<number, DispatcherSet>();
  const health: DestinationHealth[] = [];
  const records = (answer as ListAnswer | null)?.RECORDS ?? [];
  for (const record of records) {
    const id = record.SET?.ID;
    if (id === undefined) continue;
    const set: DispatcherSet = { id, key: '', kind: 'pool', destinations: [] };
    for (const target of record.SET?.TARGETS ?? []) {
      const d = target.DEST;
      if (d?.URI === undefined) continue;
      const flags = d.FLAGS ?? 'AX';
      const flag = (
        ['A', 'I', 'T', 'D'].includes(flags[0] ?? '') ? flags[0] : 'A'
      ) as DestinationHealth['flag'];
      set.destinations.push({
        uri: d.URI,
        state: flag === 'D' ? 'disabled' : 'active',
        priority: d.PRIORITY ?? 0,
        attrs: d.ATTRS?.BODY ?? '',
      });
      const h: DestinationHealth = {
        set: id,
        uri: d.URI,
        duid: d.ATTRS?.DUID ?? '',
        flag,
        probing: flags[1] === 'P',
        load: d.RUNTIME?.DLGLOAD ?? 0,
      };
      if (typeof d.LATENCY?.AVG === 'number') h.rttMs = d.LATENCY.AVG;
      health.push(h);
    }
    sets.set(id, set);
  }
  return { sets, health };
}

interface DumpEntry {
  slot?: Array<{ name?: string; value?: unknown }>;
}

/** Parses one `htable.dump` answer into key -> string value. */
export function parseHtableDump(answer: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(answer)) return out;
  for (const entry of answer as DumpEntry[]) {
    for (const item of entry.slot ?? []) {
      if (typeof item.name === 'string') out.set(item.name, String(item.value));
    }
  }
  return out;
}

export function routingStateOf(list: ParsedList, tables: Partial<Htables>): RoutingState {
  const htables = emptyHtables();
  for (const name of HTABLES) {
    const t = tables[name];
    if (t !== undefined) htables[name] = t;
  }
  return { sets: list.sets, htables };
}

/**
 * What the edge's trunk prober knows of trunk gateways (htable `probestate`): the round trip
 * (`<set>|<uri>|rtt` in ms; the dispatcher's latency stats only cover what it probes itself, flag
 * P: media nodes, peer edges) and whether any probe has had its answer yet (`<set>|<uri>|code`).
 */
export function withProbeState(
  health: readonly DestinationHealth[],
  probeState: ReadonlyMap<string, string>,
): DestinationHealth[] {
  return health.map((h) => {
    if (h.probing) return h;
    const { rttMs: _dispatcherRtt, ...rest } = h;
    const probed = probeState.has(`${h.set}|${h.uri}|code`);
    const rtt = Number(probeState.get(`${h.set}|${h.uri}|rtt`));
    return Number.isFinite(rtt) ? { ...rest, probed, rttMs: rtt } : { ...rest, probed };
  });
}
