// Gathers what the edge routing decision reads, from the manager's caches only: the agents and
// trunks (defaults filled in; an object admission would reject is left out), the media pools'
// EndpointSlices, the media pods marked draining, and each trunk's credentials.
import type { V1EndpointSlice, V1Pod, V1Secret } from '@kubernetes/client-node';
import { DRAINING_ANNOTATION, type SipTrunk, type VoiceAgent } from '@voicefleet/api';
import type { Store } from '../kube/store.js';
import type { Stored } from '../kube/stored.js';
import { readSipTrunk, readVoiceAgent } from '../resources.js';
import type { EdgeInputs, TrunkCredentials } from './edge-inputs.js';
import { trunkCredentials } from './trunk-credentials.js';

/** The caches the edge reads. */
export interface EdgeCaches {
  agents: Store<Stored<VoiceAgent>>;
  trunks: Store<Stored<SipTrunk>>;
  secrets: Store<V1Secret>;
  /** EndpointSlices of the media pools (label voicefleet.io/agent). */
  endpointSlices: Store<V1EndpointSlice>;
  /** Media pods (label app.kubernetes.io/name=voicefleet-media-node), for drain marks. */
  mediaPods: Store<V1Pod>;
}

export function gatherEdgeInputs(
  caches: EdgeCaches,
  addressMap?: ReadonlyMap<string, string>,
): Omit<EdgeInputs, 'region' | 'setIds'> {
  const agents = caches.agents.list().flatMap((a) => valid(readVoiceAgent(a)));
  const trunks = caches.trunks.list().flatMap((t) => valid(readSipTrunk(t)));
  const credentials = new Map<string, TrunkCredentials>();
  for (const trunk of trunks) {
    const ref = trunk.spec.outbound?.credentialsSecretRef;
    if (ref === undefined) continue;
    const creds = trunkCredentials(caches.secrets.get(ref.name, trunk.metadata.namespace));
    if (creds !== undefined)
      credentials.set(`${trunk.metadata.namespace}/${trunk.metadata.name}`, creds);
  }
  const drainMarks = new Set<string>();
  for (const pod of caches.mediaPods.list()) {
    if (pod.metadata?.annotations?.[DRAINING_ANNOTATION] === undefined) continue;
    drainMarks.add(`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`);
    if (pod.status?.podIP !== undefined) drainMarks.add(pod.status.podIP);
  }
  return {
    agents,
    trunks,
    endpointSlices: caches.endpointSlices
      .list()
      .map((s) => ({ ...s, endpoints: s.endpoints ?? [] })),
    drainMarks,
    credentials,
    ...(addressMap !== undefined ? { addressMap } : {}),
  };
}

function valid<T>(read: { value: T; errors: readonly unknown[] }): T[] {
  return read.errors.length > 0 ? [] : [read.value];
}
