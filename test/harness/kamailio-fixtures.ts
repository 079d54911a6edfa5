// Builders for edge tests: VoiceAgents, SipTrunks and EndpointSlices with loopback addresses,
// defaults filled in as the API server stores them.
import {
  applySipTrunkDefaults,
  applyVoiceAgentDefaults,
  type SipTrunk,
  type VoiceAgent,
} from '@voicefleet/api';
import type { EndpointSliceLike } from '../../operator/src/edge/index.js';

export function edgeAgent(
  name: string,
  numbers: string[],
  trunks: string[] = [],
  region = 'local',
): VoiceAgent {
  return applyVoiceAgentDefaults({
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'VoiceAgent',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: {
      numbers,
      trunks,
      regions: [{ name: region, minReplicas: 1, maxReplicas: 3 }],
      capacity: { callsPerPod: 200, bufferCalls: 10 },
      codecs: ['PCMU'],
      pipeline: {
        greeting: 'Hello',
        stt: { provider: 'fake' },
        tts: { provider: 'espeak' },
        llm: {
          provider: 'scripted',
          script: {
            fallback: 'Sorry?',
            intents: [{ name: 'bye', examples: ['goodbye'], reply: 'Goodbye!', action: 'hangup' }],
          },
        },
      },
      slo: {},
      drainTimeoutSeconds: 600,
    },
  } as unknown as VoiceAgent);
}

export interface GatewayFixture {
  name: string;
  port: number;
  priority?: number;
  weight?: number;
}

export function edgeTrunk(
  name: string,
  gateways: GatewayFixture[],
  options: { sourceCidrs?: string[]; codes?: number[]; secret?: string; timeoutMs?: number } = {},
): SipTrunk {
  return applySipTrunkDefaults({
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'SipTrunk',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: {
      gateways: gateways.map((g) => ({
        name: g.name,
        host: '127.0.0.1',
        port: g.port,
        priority: g.priority ?? 1,
        weight: g.weight ?? 100,
      })),
      inbound: { sourceCidrs: options.sourceCidrs ?? ['127.0.0.1/32'] },
      ...(options.secret !== undefined
        ? { outbound: { credentialsSecretRef: { name: options.secret } } }
        : {}),
      failover: {
        ...(options.codes !== undefined ? { responseCodes: options.codes } : {}),
        timeoutMs: options.timeoutMs ?? 2000,
      },
      healthCheck: {},
    },
  } as unknown as SipTrunk);
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
