// The shapes of VoiceAgent and SipTrunk the controllers read. Structural subsets of the
// `@voicefleet/api` types, so the decisions can be tested with small fixtures.
import type { Condition } from './runtime/conditions.js';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface VoiceAgentRegion {
  name: string;
  minReplicas: number;
  maxReplicas: number;
}

export interface VoiceAgentSpec {
  numbers: string[];
  trunks?: string[];
  regions: VoiceAgentRegion[];
  capacity: { callsPerPod: number; bufferCalls: number; scaleDownStabilizationSeconds?: number };
  codecs?: string[];
  transfer?: { target: string; method?: string };
  pipeline: Record<string, unknown>;
  slo?: Record<string, unknown>;
  drainTimeoutSeconds?: number;
  image?: string;
}

export interface VoiceAgentStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  regions?: Record<string, unknown>[];
  activeCalls?: number;
  regionsSummary?: string;
}

export interface VoiceAgentObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: VoiceAgentSpec;
  status?: VoiceAgentStatus;
}

export interface SipTrunkGateway {
  name: string;
  host: string;
  port?: number;
  transport?: string;
  priority?: number;
  weight?: number;
}

export interface SipTrunkObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    gateways: SipTrunkGateway[];
    outbound?: { credentialsSecretRef?: { name: string }; fromDomain?: string };
  } & Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    gateways?: { name: string; state?: string }[];
    gatewaysUp?: string;
  };
}
