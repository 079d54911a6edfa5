// Renders the media node's `config.yaml` (`MediaNodeConfig` of @voicefleet/api, which the media
// node loads and validates) for one agent and region. Provider API keys and webhook signing keys
// never appear in it: each secret reference becomes the name of an environment variable, filled
// from the Secret by the Deployment (`secretKeyRef`). Listen addresses and timeouts are the schema's defaults.
import {
  mediaNodeListenDefaults,
  type MediaNodeConfig,
  type MediaNodePipeline,
  type SecretKeySelector,
  type VoiceAgent,
} from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';

export interface SecretEnv {
  env: string;
  secret: SecretKeySelector;
}

export interface RenderedConfig {
  config: MediaNodeConfig;
  secretEnv: SecretEnv[];
}

export interface MediaNodeConfigOptions {
  /** SIP URI of the edge, where the node sends outbound calls and transfers. */
  edgeUri: string;
}

/** What the render reads of an agent (the local fleet passes manifests in this shape). */
export type AgentForConfig = Pick<Stored<VoiceAgent>, 'metadata' | 'spec'>;

type Stage = 'stt' | 'tts' | 'llm';

/** `VOICEFLEET_WEBHOOK_0_KEY` and so on: where a webhook's signing key reaches the media node. */
export function webhookKeyEnv(index: number): string {
  return `VOICEFLEET_WEBHOOK_${index}_KEY`;
}

/** `VOICEFLEET_LLM_API_KEY` and so on: where a stage's API key reaches the media node. */
export function apiKeyEnv(stage: Stage): string {
  return `VOICEFLEET_${stage.toUpperCase()}_API_KEY`;
}

export function renderMediaNodeConfig(
  agent: AgentForConfig,
  region: string,
  options: MediaNodeConfigOptions,
): RenderedConfig {
  const { spec } = agent;
  const secretEnv: SecretEnv[] = [];
  const keyToEnv = <S extends { apiKeySecretRef?: SecretKeySelector }>(stage: Stage, value: S) => {
    const { apiKeySecretRef, ...rest } = value;
    if (apiKeySecretRef === undefined) return rest;
    const env = apiKeyEnv(stage);
    secretEnv.push({ env, secret: { name: apiKeySecretRef.name, key: apiKeySecretRef.key } });
    return { ...rest, apiKeyEnv: env };
  };
  const pipeline: MediaNodePipeline = {
    ...spec.pipeline,
    stt: keyToEnv('stt', spec.pipeline.stt),
    tts: keyToEnv('tts', spec.pipeline.tts),
    llm: keyToEnv('llm', spec.pipeline.llm),
  };
  const events =
    spec.events === undefined
      ? undefined
      : {
          queueSize: spec.events.queueSize,
          webhooks: spec.events.webhooks.map((w, i) => {
            const env = webhookKeyEnv(i);
            secretEnv.push({ env, secret: { name: w.secretRef.name, key: w.secretRef.key } });
            return { url: w.url, secretEnv: env, events: [...w.events] };
          }),
        };
  const listen = mediaNodeListenDefaults();
  const config: MediaNodeConfig = {
    agent: { namespace: agent.metadata.namespace, name: agent.metadata.name },
    region,
    sip: listen.sip,
    rtp: listen.rtp,
    http: listen.http,
    metrics: listen.metrics,
    capacity: { maxCalls: spec.capacity.callsPerPod },
    codecs: spec.codecs,
    edge: { uri: options.edgeUri },
    ...(spec.transfer !== undefined ? { transfer: { ...spec.transfer } } : {}),
    ...(events !== undefined ? { events } : {}),
    pipeline,
    media: listen.media,
    drain: { deadlineSeconds: spec.drainTimeoutSeconds },
  };
  return { config, secretEnv };
}
