// The informers of the whole operator, created once: VoiceAgents and SipTrunks (indexed by the
// trunks and Secrets they name), Secrets, the agents' children (label managed-by=voicefleet), the
// media pods (indexed by agent: their calls, container statuses and addresses for the scaler, the
// VoiceAgent controller and the edge) and, with an edge, the media pools' EndpointSlices and the
// edge pods. Every controller and the edge sync read these caches; nothing else lists or watches.
import type {
  KubeConfig,
  KubernetesObject,
  V1EndpointSlice,
  V1Pod,
  V1Secret,
} from '@kubernetes/client-node';
import {
  AGENT_LABEL,
  GROUP,
  MANAGED_SELECTOR,
  MEDIA_NODE_SELECTOR,
  SIP_TRUNK_PLURAL,
  VERSION,
  VOICE_AGENT_PLURAL,
  type SipTrunk,
  type VoiceAgent,
} from '@voicefleet/api';
import type { CachedObject } from '../kube/cached-object.js';
import { Informer } from '../kube/informer.js';
import type { Stored } from '../kube/stored.js';
import { trunkIndexes } from '../sip-trunk/sip-trunk-controller.js';
import { agentIndexes, mediaPodIndexes } from '../voice-agent/voice-agent-keys.js';
import type { ChildKind } from '../voice-agent/voice-agent-controller.js';

type ChildResource = { kind: ChildKind; group: string; version: string; plural: string };

export const CHILD_KINDS = [
  { kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps' },
  { kind: 'Service', group: '', version: 'v1', plural: 'services' },
  { kind: 'PodDisruptionBudget', group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' },
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
] as const satisfies readonly ChildResource[];

/** An agent's monitoring children, watched when the operator manages them (their CRDs exist). */
export const MONITORING_CHILD_KINDS = [
  { kind: 'PodMonitor', group: 'monitoring.coreos.com', version: 'v1', plural: 'podmonitors' },
  {
    kind: 'PrometheusRule',
    group: 'monitoring.coreos.com',
    version: 'v1',
    plural: 'prometheusrules',
  },
] as const satisfies readonly ChildResource[];

/** The pools' NetworkPolicies, watched when the operator writes them. */
export const NETWORK_POLICY_KIND = {
  kind: 'NetworkPolicy',
  group: 'networking.k8s.io',
  version: 'v1',
  plural: 'networkpolicies',
} as const satisfies ChildResource;

/**
 * Secrets the operator reads are trunk credentials and provider API keys: never Helm release
 * records or service-account tokens, which this keeps out of the cache (they are the largest).
 */
export const SECRET_FIELD_SELECTOR =
  'type!=helm.sh/release.v1,type!=kubernetes.io/service-account-token';

export interface ClusterCaches {
  agents: Informer<Stored<VoiceAgent>>;
  trunks: Informer<Stored<SipTrunk>>;
  secrets: Informer<V1Secret>;
  /** The monitoring kinds only when the operator manages monitoring, NetworkPolicy only when it
   * writes them. */
  children: Partial<Record<ChildKind, Informer<KubernetesObject>>>;
  /** Media pods of every pool, indexed by the agent they serve (mediaPodIndexes). */
  mediaPods: Informer<V1Pod>;
  /** What the edge sync reads besides the above; undefined without an edge. */
  edge: EdgeInformers | undefined;
}

export interface EdgeInformers {
  endpointSlices: Informer<V1EndpointSlice>;
  /** The edge's own pods, when they are found by label. */
  edgePods: Informer<V1Pod> | undefined;
}

export interface CacheOptions {
  /** Watch one namespace; all when undefined. */
  namespace: string | undefined;
  /** Watch what the edge sync needs; `edgePods` says where its Kamailio pods are. */
  edge: { edgePods: { namespace: string; labelSelector: string } | undefined } | undefined;
  /** Watch the agents' PodMonitors and PrometheusRules too. */
  monitoring: boolean;
  /** Watch the pools' NetworkPolicies too. */
  networkPolicies: boolean;
}

export function childKindsOf(o: {
  monitoring: boolean;
  networkPolicies: boolean;
}): readonly ChildResource[] {
  return [
    ...CHILD_KINDS,
    ...(o.networkPolicies ? [NETWORK_POLICY_KIND] : []),
    ...(o.monitoring ? MONITORING_CHILD_KINDS : []),
  ];
}

export function watchCluster(kc: KubeConfig, o: CacheOptions): ClusterCaches {
  const ns = o.namespace === undefined ? {} : { namespace: o.namespace };
  const agents = Informer.forResource<Stored<VoiceAgent>>(kc, {
    group: GROUP,
    version: VERSION,
    plural: VOICE_AGENT_PLURAL,
    ...ns,
  });
  for (const [name, fn] of Object.entries(agentIndexes)) agents.addIndex(name, fn);
  const trunks = Informer.forResource<Stored<SipTrunk>>(kc, {
    group: GROUP,
    version: VERSION,
    plural: SIP_TRUNK_PLURAL,
    ...ns,
  });
  for (const [name, fn] of Object.entries(trunkIndexes)) trunks.addIndex(name, fn);
  const secrets = Informer.forResource<V1Secret>(kc, {
    group: '',
    version: 'v1',
    plural: 'secrets',
    fieldSelector: SECRET_FIELD_SELECTOR,
    ...ns,
  });
  const children = Object.fromEntries(
    childKindsOf(o).map((c) => [
      c.kind,
      Informer.forResource<KubernetesObject>(kc, {
        group: c.group,
        version: c.version,
        plural: c.plural,
        labelSelector: MANAGED_SELECTOR,
        ...ns,
      }),
    ]),
  ) as Partial<Record<ChildKind, Informer<KubernetesObject>>>;
  const mediaPods = Informer.forResource<V1Pod>(kc, {
    group: '',
    version: 'v1',
    plural: 'pods',
    labelSelector: MEDIA_NODE_SELECTOR,
    ...ns,
  });
  for (const [name, fn] of Object.entries(mediaPodIndexes)) mediaPods.addIndex(name, fn);
  const edge: EdgeInformers | undefined =
    o.edge === undefined
      ? undefined
      : {
          endpointSlices: Informer.forResource<V1EndpointSlice>(kc, {
            group: 'discovery.k8s.io',
            version: 'v1',
            plural: 'endpointslices',
            labelSelector: AGENT_LABEL,
            ...ns,
          }),
          edgePods:
            o.edge.edgePods === undefined
              ? undefined
              : Informer.forResource<V1Pod>(kc, {
                  group: '',
                  version: 'v1',
                  plural: 'pods',
                  ...o.edge.edgePods,
                }),
        };
  return { agents, trunks, secrets, children, mediaPods, edge };
}

export function informersOf(c: ClusterCaches): Informer<CachedObject>[] {
  const edge = c.edge === undefined ? [] : [c.edge.endpointSlices];
  const edgePods = c.edge?.edgePods === undefined ? [] : [c.edge.edgePods];
  return [
    c.agents,
    c.trunks,
    c.secrets,
    ...Object.values(c.children),
    c.mediaPods,
    ...edge,
    ...edgePods,
  ] as unknown as Informer<CachedObject>[];
}
