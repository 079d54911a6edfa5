// Renders the media node's `config.yaml` (MediaNodeConfig, docs/contracts.md) for one agent and
// region. Provider API keys never appear in it: each secret reference becomes the name of an
// environment variable, filled from the Secret by the Deployment (`secretKeyRef`).
import type { SecretKeyRef, VoiceAgentObject } from '../resources.js';

export interface SecretEnv {
  env: string;
  secret: SecretKeyRef;
}

export interface RenderedConfig {
  config: Record<string, unknown>;
  secretEnv: SecretEnv[];
}

export interface MediaNodeConfigOptions {
  edgeUri: string;
}

const SECRET_STAGES = ['stt', 'tts', 'llm'] as const;

export function renderMediaNodeConfig(
  agent: VoiceAgentObject,
  region: string,
  options: MediaNodeConfigOptions,
): RenderedConfig {
  const spec = agent.spec;
  const secretEnv: SecretEnv[] = [];
  const pipeline: Record<string, unknown> = { ...spec.pipeline };
  for (const stage of SECRET_STAGES) {
    const value = pipeline[stage];
    if (value === null || typeof value !== 'object') continue;
    const { apiKeySecretRef, ...rest } = value as { apiKeySecretRef?: SecretKeyRef } & Record<
      string,
      unknown
    >;
    if (apiKeySecretRef === undefined) continue;
    const env = `VOICEFLEET_${stage.toUpperCase()}_API_KEY`;
    secretEnv.push({ env, secret: { name: apiKeySecretRef.name, key: apiKeySecretRef.key } });
    pipeline[stage] = { ...rest, apiKeyEnv: env };
  }
  const config: Record<string, unknown> = {
    agent: { namespace: agent.metadata.namespace, name: agent.metadata.name },
    region,
    sip: { host: '0.0.0.0', port: 5060, advertisedHost: '' },
    rtp: { host: '0.0.0.0', portMin: 20000, portMax: 29999 },
    http: { host: '0.0.0.0', port: 8080 },
    capacity: { maxCalls: spec.capacity.callsPerPod },
    codecs: spec.codecs ?? ['PCMU', 'PCMA'],
    edge: { uri: options.edgeUri },
    ...(spec.transfer !== undefined ? { transfer: { method: 'refer', ...spec.transfer } } : {}),
    pipeline,
    media: { timeoutSeconds: 30 },
    drain: { deadlineSeconds: spec.drainTimeoutSeconds ?? 3600 },
  };
  return { config, secretEnv };
}
