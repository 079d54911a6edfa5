// Builders for the edge unit tests: agents, trunks and EndpointSlices with defaults applied.
import {
  applySipTrunkDefaults,
  applyVoiceAgentDefaults,
  type SipTrunk,
  type VoiceAgent,
} from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';
import type { EdgeInputs, EndpointSliceLike } from './edge-inputs.js';

export function agent(
  name: string,
  numbers: string[],
  trunks: string[] = [],
  regions = ['us-east-1'],
): Stored<VoiceAgent> {
  return applyVoiceAgentDefaults({
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'VoiceAgent',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      numbers,
      trunks,
      regions: regions.map((r) => ({ name: r })),
      capacity: { callsPerPod: 50 },
      pipeline: {
        greeting: 'Hi',
        stt: { provider: 'fake' },
        tts: { provider: 'espeak' },
        llm: { provider: 'scripted' },
      },
      slo: {},
    },
  } as unknown as Stored<VoiceAgent>);
}

export function trunk(
  name: string,
  gateways: Array<{
    name: string;
    host?: string;
    port?: number;
    priority?: number;
    weight?: number;
    transport?: 'udp' | 'tcp';
  }>,
  extra: Partial<SipTrunk['spec']> = {},
): Stored<SipTrunk> {
  return applySipTrunkDefaults({
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'SipTrunk',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: { gateways: gateways.map((g) => ({ host: '127.0.0.1', ...g })), ...extra },
  } as unknown as Stored<SipTrunk>);
}

export function slice(
  agentName: string,
  region: string,
  endpoints: Array<{ ip: string; pod: string; ready?: boolean; terminating?: boolean }>,
  port = 5060,
): EndpointSliceLike {
  return {
    metadata: {
      name: `${agentName}-${region}-x`,
      namespace: 'default',
      labels: { 'voicefleet.io/agent': agentName, 'voicefleet.io/region': region },
    },
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, terminating: e.terminating ?? false },
      targetRef: { kind: 'Pod', name: e.pod, namespace: 'default' },
    })),
    ports: [{ name: 'sip', port, protocol: 'UDP' }],
  };
}

export function inputs(patch: Partial<EdgeInputs> = {}): EdgeInputs {
  return {
    agents: [],
    trunks: [],
    endpointSlices: [],
    drainMarks: new Set(),
    credentials: new Map(),
    region: { region: 'us-east-1', peerEdges: [] },
    setIds: new Map(),
    ...patch,
  };
}
