// The data a Kamailio edge routes with: dispatcher sets and htables. Desired and actual states
// share this shape so that the diff is a plain comparison.

/** `active` lets Kamailio probe and route; `disabled` (dispatcher state `d`) takes no new calls. */
export type DestinationState = 'active' | 'disabled';

export interface DispatcherDestination {
  /** `sip:<ip>:<port>` (plus `;transport=tcp` for TCP gateways). */
  uri: string;
  state: DestinationState;
  /** Dispatcher priority: higher is tried first (the inverse of SipTrunk gateway priority). */
  priority: number;
  /** Dispatcher attributes, e.g. `duid=10.0.0.7:5060;maxload=50`. */
  attrs: string;
  /**
   * Probed by the dispatcher module every second (media nodes, peer edges). Trunk gateways are
   * not: the edge's trunk prober probes them on their trunk's `healthCheck` (htable `probes`).
   */
  probing?: boolean;
}

export type SetKind = 'pool' | 'trunk' | 'peers';

export interface DispatcherSet {
  id: number;
  /** Stable identity, e.g. `pool/default/front-desk/us-east-1`, `trunk/default/carrier-a`, `peers`. */
  key: string;
  kind: SetKind;
  destinations: DispatcherDestination[];
}

/** Names of the htables the configuration reads (see charts/voicefleet/files/kamailio/modules.cfg). */
export const HTABLES = [
  'dids',
  'trunkacl',
  'trunks',
  'outbound',
  'creds',
  'edge',
  'probes',
  'names',
] as const;
export type HtableName = (typeof HTABLES)[number];

export type Htables = Record<HtableName, ReadonlyMap<string, string>>;

export interface RoutingState {
  /** By set id. */
  sets: ReadonlyMap<number, DispatcherSet>;
  htables: Htables;
}

export function emptyHtables(): Htables {
  return {
    dids: new Map(),
    trunkacl: new Map(),
    trunks: new Map(),
    outbound: new Map(),
    creds: new Map(),
    edge: new Map(),
    probes: new Map(),
    names: new Map(),
  };
}

/** Stable dispatcher set keys. */
export const setKeys = {
  pool: (namespace: string, agent: string, region: string): string =>
    `pool/${namespace}/${agent}/${region}`,
  trunk: (namespace: string, trunk: string): string => `trunk/${namespace}/${trunk}`,
  peers: (): string => 'peers',
};
