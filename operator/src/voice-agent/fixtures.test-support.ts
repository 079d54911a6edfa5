// Fixture builders for the VoiceAgent unit tests.
import type { V1Deployment } from '@kubernetes/client-node';
import type { VoiceAgentObject } from '../resources.js';

export function voiceAgent(
  name: string,
  patch: {
    numbers?: string[];
    regions?: string[];
    generation?: number;
    created?: string;
    status?: VoiceAgentObject['status'];
  } & Partial<Omit<VoiceAgentObject['spec'], 'numbers' | 'regions'>> = {},
): VoiceAgentObject {
  const {
    generation = 1,
    created = '2026-01-01T00:00:00Z',
    status,
    numbers = ['+14155550100'],
    regions,
    ...spec
  } = patch;
  return {
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'VoiceAgent',
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
        llm: { provider: 'scripted' },
      },
      drainTimeoutSeconds: 600,
      ...spec,
    },
    ...(status !== undefined ? { status } : {}),
  };
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
