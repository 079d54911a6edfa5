// Fixture builders for the VoiceAgent unit tests: the test kit's agents as the controller reads
// them (stored: uid, creation time and status set, every schema default filled in) and live
// Deployments.
import type { V1Deployment } from '@kubernetes/client-node';
import type { Pipeline, VoiceAgent, VoiceAgentSpec } from '@voicefleet/api';
import { voiceAgent as kitAgent } from '@voicefleet/api/testing';
import type { Stored } from '../kube/stored.js';
import { stored } from '../kube/stored.test-support.js';
import type { MediaPod } from '../scaling/pool-load.js';

export function voiceAgent(
  name: string,
  patch: {
    numbers?: string[];
    regions?: string[];
    generation?: number;
    created?: string;
    status?: VoiceAgent['status'];
    /** Merged over the kit's scripted pipeline; unset stages and fields take the schema defaults. */
    pipeline?: Partial<Pipeline>;
  } & Partial<Omit<VoiceAgentSpec, 'numbers' | 'regions' | 'pipeline'>> = {},
): Stored<VoiceAgent> {
  const {
    generation = 1,
    created = '2026-01-01T00:00:00Z',
    status,
    numbers,
    regions,
    pipeline,
    ...spec
  } = patch;
  const agent = kitAgent(name, {
    generation,
    ...(numbers !== undefined ? { numbers } : {}),
    ...(regions !== undefined ? { regions } : {}),
    ...(pipeline !== undefined ? { pipeline } : {}),
    spec: { drainTimeoutSeconds: 600, ...spec },
  });
  return stored(
    { ...agent, ...(status !== undefined ? { status } : {}) },
    {
      creationTimestamp: created,
    },
  );
}

export function deployment(
  ready: number,
  patch: { generation?: number; observedGeneration?: number; replicas?: number } = {},
): V1Deployment {
  return {
    metadata: { generation: patch.generation ?? 1 },
    spec: { replicas: patch.replicas ?? Math.max(1, ready), selector: {}, template: {} },
    status: {
      observedGeneration: patch.observedGeneration ?? 1,
      replicas: ready,
      updatedReplicas: ready,
      readyReplicas: ready,
    },
  };
}

/** Ready media pods of one pool, each reporting the given calls (undefined: not reported yet). */
export function mediaPods(calls: readonly (number | undefined)[], callsPerPod = 50): MediaPod[] {
  return calls.map((c, i) => ({
    key: `default/pod-${i}`,
    ready: true,
    terminating: false,
    deletionCost: c ?? 0,
    ...(c === undefined
      ? {}
      : { load: { activeCalls: c, capacity: callsPerPod, draining: false } }),
  }));
}
