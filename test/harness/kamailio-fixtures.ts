// Builders for edge tests: VoiceAgents, SipTrunks and EndpointSlices with loopback addresses,
// defaults filled in as the API server stores them.
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import { sipTrunk, voiceAgent } from '@voicefleet/api/testing';
import type { EndpointSliceLike } from '@voicefleet/operator';

/** An agent in one region with a large pool (edge tests count calls, not capacity). */
export function edgeAgent(
  name: string,
  numbers: string[],
  trunks: string[] = [],
  region = 'local',
): VoiceAgent {
  return voiceAgent(name, {
    generation: 1,
    numbers,
    trunks,
    regions: [region],
    callsPerPod: 200,
    spec: { codecs: ['PCMU'], slo: {}, drainTimeoutSeconds: 600 },
  });
}

export interface GatewayFixture {
  name: string;
  port: number;
  priority?: number;
  weight?: number;
}

/** A trunk whose gateways all have priority 1 and weight 100 unless given, trusting 127.0.0.1. */
export function edgeTrunk(
  name: string,
  gateways: GatewayFixture[],
  options: {
    sourceCidrs?: string[];
    codes?: number[];
    secret?: string;
    timeoutMs?: number;
    healthCheck?: SipTrunk['spec']['healthCheck'];
  } = {},
): SipTrunk {
  return sipTrunk(name, {
    generation: 1,
    gateways: gateways.map((g) => ({ priority: 1, weight: 100, ...g })),
    sourceCidrs: options.sourceCidrs ?? ['127.0.0.1/32'],
    ...(options.secret !== undefined ? { credentialsSecret: options.secret } : {}),
    ...(options.codes !== undefined ? { failoverCodes: options.codes } : {}),
    failoverTimeoutMs: options.timeoutMs ?? 2000,
    ...(options.healthCheck !== undefined ? { spec: { healthCheck: options.healthCheck } } : {}),
  });
}

export interface PodFixture {
  name: string;
  port: number;
  ip?: string;
  ready?: boolean;
  terminating?: boolean;
}

type SliceFixture = EndpointSliceLike & {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
};

/**
 * EndpointSlices of one pool. All endpoints of a slice share its ports; on loopback every pod
 * has its own port, so each pod gets its own slice (as if each were a separate port group).
 */
export function edgeSlices(agent: string, pods: PodFixture[], region = 'local'): SliceFixture[] {
  return pods.map((p) => ({
    metadata: {
      name: `${agent}-${region}-${p.name}`,
      namespace: 'default',
      labels: {
        'voicefleet.io/agent': agent,
        'voicefleet.io/region': region,
        'kubernetes.io/service-name': `${agent}-${region}`,
      },
    },
    endpoints: [
      {
        addresses: [p.ip ?? '127.0.0.1'],
        conditions: {
          ready: p.ready ?? true,
          serving: p.ready ?? true,
          terminating: p.terminating ?? false,
        },
        targetRef: { kind: 'Pod', name: p.name, namespace: 'default' },
      },
    ],
    ports: [{ name: 'sip', port: p.port, protocol: 'UDP' }],
  }));
}
