// Builders for the edge unit tests: the test kit's agents and trunks as the operator reads them,
// and EndpointSlices.
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import {
  sipTrunk as kitTrunk,
  voiceAgent as kitAgent,
  type GatewayOption,
} from '@voicefleet/api/testing';
import type { Stored } from '../kube/stored.js';
import { stored } from '../kube/stored.test-support.js';
import type { EdgeInputs, EndpointSliceLike } from './edge-inputs.js';

export function agent(
  name: string,
  numbers: string[],
  trunks: string[] = [],
  regions = ['us-east-1'],
): Stored<VoiceAgent> {
  return stored(kitAgent(name, { generation: 1, numbers, trunks, regions, greeting: 'Hi' }));
}

export function trunk(
  name: string,
  gateways: GatewayOption[],
  extra: Partial<SipTrunk['spec']> = {},
): Stored<SipTrunk> {
  return stored(kitTrunk(name, { generation: 1, gateways: [...gateways], spec: extra }));
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
