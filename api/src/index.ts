/**
 * @voicefleet/api: the VoiceAgent and SipTrunk custom resources (TypeBox schemas, TS types,
 * defaults and admission-equivalent validation), their CRD generation, and the media-node config.
 */
export {
  API_VERSION,
  CATEGORY,
  GROUP,
  SIP_TRUNK_KIND,
  SIP_TRUNK_PLURAL,
  SIP_TRUNK_SHORT_NAME,
  SIP_TRUNK_SINGULAR,
  VERSION,
  VOICE_AGENT_KIND,
  VOICE_AGENT_PLURAL,
  VOICE_AGENT_SHORT_NAME,
  VOICE_AGENT_SINGULAR,
} from './constants.js';
export {
  Condition,
  ObjectMeta,
  SecretKeySelector,
  SecretReference,
  E164_PATTERN,
} from './schema/common.js';
export { Events, WEBHOOK_EVENT_TYPES, Webhook, type WebhookEventType } from './schema/events.js';
export { INTENT_ACTIONS, Intent, ScriptedDialogue, type IntentAction } from './schema/dialogue.js';
export {
  BARGE_IN_DEFAULTS,
  LLM_PROVIDERS,
  MIN_BARGE_IN_SPEECH_MS,
  STT_PROVIDERS,
  TTS_PROVIDERS,
  VAD_PROVIDERS,
} from './schema/pipeline.js';
export {
  CODECS,
  Capacity,
  Pipeline,
  Region,
  SCALING_MODES,
  TRANSFER_METHODS,
  Transfer,
  VoiceAgent,
  VoiceAgentSpec,
  type Codec,
  type ScaleLimit,
  type ScalingMode,
  type TransferMethod,
} from './schema/voice-agent.js';
export {
  LATENCY_BUCKETS_MS,
  Monitoring,
  SHORTEST_WINDOW_SECONDS_PER_DAY,
  Slo,
  type LatencyBucketMs,
} from './schema/slo.js';
export {
  RegionStatus,
  SCALE_LIMITS,
  ScaleRecommendation,
  VoiceAgentStatus,
  type ScaleLimitReason,
} from './schema/voice-agent-status.js';
export {
  DEFAULT_FAILOVER_CODES,
  Gateway,
  SipTrunk,
  SipTrunkSpec,
  TRANSPORTS,
  type Transport,
} from './schema/sip-trunk.js';
export {
  GATEWAY_STATES,
  GatewayStatus,
  SipTrunkStatus,
  type GatewayState,
} from './schema/sip-trunk-status.js';
export { MediaNodeConfig, MediaNodePipeline } from './schema/media-node-config.js';
export { PodResources, canonicalQuantity, quantityValue } from './schema/pod-resources.js';
export {
  MEDIA_NODE_ENV_OVERRIDES,
  MediaNodeConfigError,
  loadMediaNodeConfig,
  mediaNodeListenDefaults,
  type MediaNodeListenConfig,
} from './media-node-config.js';
export {
  AGENT_LABEL,
  APPLIED_HASH_ANNOTATION,
  CONFIG_HASH_ANNOTATION,
  DRAINING_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MANAGED_SELECTOR,
  MEDIA_NODE_APP,
  MEDIA_NODE_SELECTOR,
  NAME_LABEL,
  REGION_LABEL,
} from './labels.js';
export type { FieldError } from './validate/field-error.js';
export {
  applySipTrunkDefaults,
  applyVoiceAgentDefaults,
  checkSipTrunk,
  checkVoiceAgent,
  type Checked,
  validateSipTrunk,
  validateVoiceAgent,
} from './validate/validate.js';
export {
  parseManifests,
  type ManifestError,
  type OtherObject,
  type ParsedManifests,
} from './validate/manifests.js';
export { CRD_DIRS, renderCrdFiles, sipTrunkCrd, voiceAgentCrd } from './crd/crds.js';
