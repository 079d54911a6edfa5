// The NetworkPolicy of one media pool: who may reach a media pod, port by port. SIP only from the
// edge pods (and `sipFrom`); RTP from wherever a call's media comes from (callers and carriers
// send it straight to the pod, so anywhere unless `rtpFrom` narrows it); the HTTP control port
// (/status, POST /calls, /drain) only from the operator pods; the metrics port (GET /metrics and
// nothing else) from `metricsFrom` (Prometheus), or from anywhere when none is listed. The
// kubelet's probes come from the node, which NetworkPolicy implementations admit to its own pods.
import type { KubernetesObject, V1LabelSelector } from '@kubernetes/client-node';
import { childLabels, childName, selectorLabels } from './child-names.js';
import { ownerReference, type ChildContext } from './desired-children.js';

/**
 * A NetworkPolicy peer as the API takes it (the client's generated types rename `from` and
 * `except`, and these objects are sent as they are).
 */
export interface NetworkPolicyPeer {
  podSelector?: V1LabelSelector;
  namespaceSelector?: V1LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface NetworkPolicyPort {
  protocol: 'TCP' | 'UDP';
  port: number;
  endPort?: number;
}

export interface NetworkPolicy extends KubernetesObject {
  spec: {
    podSelector: V1LabelSelector;
    policyTypes: 'Ingress'[];
    ingress: { from?: NetworkPolicyPeer[]; ports: NetworkPolicyPort[] }[];
  };
}

/** Pods found by labels in one namespace. */
export interface PeerPods {
  namespace: string;
  labels: Record<string, string>;
}

export interface MediaNetworkPolicyOptions {
  /** The edge's pods: the source of SIP. */
  edge: PeerPods;
  /** More SIP peers: the nodes' addresses when the edge runs in the host network. */
  sipFrom: NetworkPolicyPeer[];
  /** The operator's pods: the load-signal stream, drains and outbound calls on the control port. */
  operator: PeerPods;
  /** Peers on the metrics port, e.g. Prometheus; empty admits every peer there. */
  metricsFrom: NetworkPolicyPeer[];
  /** Peers RTP may come from; empty admits RTP from anywhere. */
  rtpFrom: NetworkPolicyPeer[];
}

/** The standard label every namespace carries with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function peerOf(pods: PeerPods): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: pods.namespace } },
    podSelector: { matchLabels: { ...pods.labels } },
  };
}

export function desiredNetworkPolicy(
  ctx: ChildContext,
  policy: MediaNetworkPolicyOptions,
): NetworkPolicy {
  const { sip, rtp, http, metrics } = ctx.config.config;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: childName(ctx.agent.metadata.name, ctx.region),
      namespace: ctx.agent.metadata.namespace,
      labels: childLabels(ctx.agent.metadata.name, ctx.region),
      ownerReferences: [ownerReference(ctx.agent)],
    },
    spec: {
      podSelector: { matchLabels: selectorLabels(ctx.agent.metadata.name, ctx.region) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [peerOf(policy.edge), ...policy.sipFrom],
          ports: [
            { protocol: 'UDP', port: sip.port },
            { protocol: 'TCP', port: sip.port },
          ],
        },
        {
          ...(policy.rtpFrom.length > 0 ? { from: policy.rtpFrom } : {}),
          ports: [{ protocol: 'UDP', port: rtp.portMin, endPort: rtp.portMax }],
        },
        {
          from: [peerOf(policy.operator)],
          ports: [{ protocol: 'TCP', port: http.port }],
        },
        {
          ...(policy.metricsFrom.length > 0 ? { from: policy.metricsFrom } : {}),
          ports: [{ protocol: 'TCP', port: metrics.port }],
        },
      ],
    },
  };
}
