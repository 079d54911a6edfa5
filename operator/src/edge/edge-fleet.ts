// The Kamailio edges this operator programs, each with the region it serves: those configured by
// URL and those found as ready pods (label voicefleet.io/region says their region). One
// EdgeWriter per edge, kept for as long as the edge exists, so its calls stay serialized.
import type { V1Pod } from '@kubernetes/client-node';
import { REGION_LABEL } from '@voicefleet/api';
import type { Store } from '../kube/store.js';
import { EdgeWriter } from './edge-writer.js';
import { KamailioRpcClient, type KamailioEndpoint } from './rpc-client.js';

export interface RegionalEndpoint extends KamailioEndpoint {
  /** The region whose routing this edge holds. */
  region: string;
}

export interface EdgeDiscovery {
  /** Ready pods of the edge Deployment (label selector and namespace from the configuration). */
  pods: Store<V1Pod>;
  /** Control port of each pod. */
  port: number;
  token: string;
}

/**
 * Edges among `pods`: ready, not being deleted, with an IP, in a region this operator owns (a pod
 * without the region label serves the first owned region). Pure.
 */
export function discoveredEdges(
  pods: readonly V1Pod[],
  discovery: { port: number; token: string },
  ownedRegions: readonly string[],
): RegionalEndpoint[] {
  const out: RegionalEndpoint[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ip === undefined || ready !== true || pod.metadata?.deletionTimestamp !== undefined)
      continue;
    const region = pod.metadata?.labels?.[REGION_LABEL] ?? ownedRegions[0];
    if (region === undefined || !ownedRegions.includes(region)) continue;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    out.push({
      name: pod.metadata?.name ?? ip,
      rpcUrl: `http://${host}:${discovery.port}/RPC`,
      token: discovery.token,
      region,
    });
  }
  return out;
}

export class EdgeFleet {
  private readonly byKey = new Map<string, { writer: EdgeWriter; region: string }>();
  private readonly regions = new Map<EdgeWriter, string>();

  constructor(
    private readonly configured: readonly RegionalEndpoint[],
    private readonly ownedRegions: readonly string[],
    private readonly discovery?: EdgeDiscovery,
  ) {}

  /** Every edge now, configured first; a writer for a vanished pod is dropped. */
  writers(): EdgeWriter[] {
    const wanted = [
      ...this.configured,
      ...(this.discovery === undefined
        ? []
        : discoveredEdges(this.discovery.pods.list(), this.discovery, this.ownedRegions)),
    ];
    const live = new Set<string>();
    for (const endpoint of wanted) {
      // A pod that comes back with another IP is another edge (it starts empty).
      const key = `${endpoint.name} ${endpoint.rpcUrl}`;
      live.add(key);
      if (this.byKey.has(key)) continue;
      const writer = new EdgeWriter(new KamailioRpcClient(endpoint));
      this.byKey.set(key, { writer, region: endpoint.region });
      this.regions.set(writer, endpoint.region);
    }
    for (const [name, { writer }] of this.byKey) {
      if (live.has(name)) continue;
      this.byKey.delete(name);
      this.regions.delete(writer);
    }
    return [...this.byKey.values()].map((e) => e.writer);
  }

  regionOf(writer: EdgeWriter): string | undefined {
    return this.regions.get(writer);
  }
}
