/**
 * The test kit's builders of VoiceAgents and SipTrunks: valid objects in a line, with only what a
 * test cares about spelled out. `voiceAgentManifest` is what a user writes (an API server applies
 * the defaults); `voiceAgent` is what the API server stores (defaults applied), for pure decisions.
 * Every address is loopback. Tests only: production code never imports `testing/`.
 */
import { API_VERSION, SIP_TRUNK_KIND, VOICE_AGENT_KIND } from '../constants.js';
import { applySipTrunkDefaults, applyVoiceAgentDefaults } from '../validate/validate.js';
import type { SipTrunk } from '../schema/sip-trunk.js';
import type { VoiceAgent } from '../schema/voice-agent.js';

type Spec = Record<string, unknown>;

export interface RegionOption {
  name: string;
  minReplicas?: number;
  maxReplicas?: number;
}

export interface VoiceAgentOptions {
  namespace?: string;
  generation?: number;
  numbers?: string[];
  trunks?: string[];
  /** Region names or regions (default one: us-east-1, 1 to 3 replicas). */
  regions?: (string | RegionOption)[];
  minReplicas?: number;
  maxReplicas?: number;
  callsPerPod?: number;
  bufferCalls?: number;
  greeting?: string;
  /** Merged over the scripted pipeline; unset stages and fields keep it (or the defaults). */
  pipeline?: Spec;
  /** Any other spec field, as written in YAML. */
  spec?: Spec;
}

/** A valid VoiceAgent as a user writes it: a scripted agent that says goodbye and hangs up. */
export function voiceAgentManifest(name: string, o: VoiceAgentOptions = {}): VoiceAgent {
  const regions = (o.regions ?? ['us-east-1']).map((r) =>
    typeof r === 'string' ? { name: r } : r,
  );
  const spec: Spec = {
    numbers: o.numbers ?? ['+14155550100'],
    ...(o.trunks !== undefined ? { trunks: o.trunks } : {}),
    regions: regions.map((r) => ({
      name: r.name,
      minReplicas: r.minReplicas ?? o.minReplicas ?? 1,
      maxReplicas: r.maxReplicas ?? o.maxReplicas ?? 3,
    })),
    capacity: { callsPerPod: o.callsPerPod ?? 50, bufferCalls: o.bufferCalls ?? 10 },
    pipeline: {
      greeting: o.greeting ?? 'Hello',
      stt: { provider: 'fake' },
      tts: { provider: 'espeak' },
      llm: {
        provider: 'scripted',
        script: {
          fallback: 'Sorry?',
          intents: [{ name: 'bye', examples: ['goodbye'], reply: 'Goodbye!', action: 'hangup' }],
        },
      },
      ...o.pipeline,
    },
    ...o.spec,
  };
  return {
    apiVersion: API_VERSION,
    kind: VOICE_AGENT_KIND,
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.generation !== undefined ? { generation: o.generation } : {}),
    },
    spec,
  } as unknown as VoiceAgent;
}

/** A VoiceAgent as the API server stores it: `voiceAgentManifest` with the CRD's defaults. */
export function voiceAgent(name: string, o: VoiceAgentOptions = {}): VoiceAgent {
  return applyVoiceAgentDefaults(voiceAgentManifest(name, o));
}

export interface GatewayOption {
  name: string;
  /** Default: the schema's (5060). */
  port?: number;
  host?: string;
  priority?: number;
  weight?: number;
  transport?: 'udp' | 'tcp';
}

export interface SipTrunkOptions {
  namespace?: string;
  generation?: number;
  /** Default: one gateway `primary` on 127.0.0.1:5091. */
  gateways?: GatewayOption[];
  sourceCidrs?: string[];
  /** The Secret with the outbound digest credentials. */
  credentialsSecret?: string;
  failoverCodes?: number[];
  failoverTimeoutMs?: number;
  spec?: Spec;
}

/** A valid SipTrunk as a user writes it; every gateway on loopback. */
export function sipTrunkManifest(name: string, o: SipTrunkOptions = {}): SipTrunk {
  const failover: Spec = {
    ...(o.failoverCodes !== undefined ? { responseCodes: o.failoverCodes } : {}),
    ...(o.failoverTimeoutMs !== undefined ? { timeoutMs: o.failoverTimeoutMs } : {}),
  };
  const spec: Spec = {
    gateways: (o.gateways ?? [{ name: 'primary', port: 5091 }]).map((g) => ({
      host: '127.0.0.1',
      ...g,
    })),
    inbound: { sourceCidrs: o.sourceCidrs ?? ['127.0.0.0/8'] },
    ...(o.credentialsSecret !== undefined
      ? { outbound: { credentialsSecretRef: { name: o.credentialsSecret } } }
      : {}),
    ...(Object.keys(failover).length > 0 ? { failover } : {}),
    ...o.spec,
  };
  return {
    apiVersion: API_VERSION,
    kind: SIP_TRUNK_KIND,
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.generation !== undefined ? { generation: o.generation } : {}),
    },
    spec,
  } as unknown as SipTrunk;
}

/** A SipTrunk as the API server stores it: `sipTrunkManifest` with the CRD's defaults. */
export function sipTrunk(name: string, o: SipTrunkOptions = {}): SipTrunk {
  return applySipTrunkDefaults(sipTrunkManifest(name, o));
}
