// Fixture builders for the VoiceAgent unit tests: agents as the controller reads them (stored,
// every schema default filled in) and live Deployments.
import type { V1Deployment } from '@kubernetes/client-node';
import {
  API_VERSION,
  VOICE_AGENT_KIND,
  applyVoiceAgentDefaults,
  type Pipeline,
  type VoiceAgent,
  type VoiceAgentSpec,
} from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';

export function voiceAgent(
  name: string,
  patch: {
    numbers?: string[];
    regions?: string[];
    generation?: number;
    created?: string;
    status?: VoiceAgent['status'];
    /** Merged over a scripted pipeline; unset stages and fields take the schema defaults. */
    pipeline?: Partial<Pipeline>;
  } & Partial<Omit<VoiceAgentSpec, 'numbers' | 'regions' | 'pipeline'>> = {},
): Stored<VoiceAgent> {
  const {
    generation = 1,
    created = '2026-01-01T00:00:00Z',
    status,
    numbers = ['+14155550100'],
    regions,
    pipeline,
    ...spec
  } = patch;
  const manifest = {
    apiVersion: API_VERSION,
    kind: VOICE_AGENT_KIND,
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation,
      creationTimestamp: created,
    },
    spec: {
      numbers,
      regions: (regions ?? ['us-east-1']).map((r) => ({ name: r, minReplicas: 1, maxReplicas: 3 })),
      capacity: { callsPerPod: 50, bufferCalls: 10 },
      pipeline: {
        greeting: 'Hello',
        stt: { provider: 'fake' },
        tts: { provider: 'espeak' },
        llm: {
          provider: 'scripted',
          script: {
            fallback: 'Sorry?',
            intents: [{ name: 'bye', examples: ['bye'], reply: 'Bye' }],
          },
        },
        ...pipeline,
      },
      drainTimeoutSeconds: 600,
      ...spec,
    },
    ...(status !== undefined ? { status } : {}),
  };
  // A manifest leaves defaulted fields out; the defaults make it what the API server stores.
  return applyVoiceAgentDefaults(manifest as unknown as Stored<VoiceAgent>);
}

export function deployment(
  ready: number,
  patch: { generation?: number; observedGeneration?: number } = {},
): V1Deployment {
  return {
    metadata: { generation: patch.generation ?? 1 },
    status: {
      observedGeneration: patch.observedGeneration ?? 1,
      replicas: ready,
      updatedReplicas: ready,
      readyReplicas: ready,
    },
  };
}
