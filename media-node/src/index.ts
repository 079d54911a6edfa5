/**
 * @voicefleet/media-node: the data plane process (SIP + RTP + agent loop). The process entry is
 * `src/node/main.ts` (`bin/media-node`); these exports let other packages and tests embed or
 * inspect the node. The folders, from the top down: node/ (the process shell: config, the
 * assembled parts, HTTP, signals), adapters/ (sip/, rtp-thread/ and agent/ as the ports of the
 * call core), core/ (MediaNode and Call: admission, calls, drain), then the media and protocol
 * rooms: agent/, providers/, rtp-thread/, vad/, sdp/, rtp/, sip/, audio/, and at the bottom
 * telemetry/ (metrics, logs, tracing) and lib/ (the typed event emitter, worker threads in
 * TypeScript).
 */
export {
  CallRefused,
  MediaNode,
  outboundTarget,
  type MediaNodeOptions,
  type MediaNodeSettings,
  type NodeStatus,
  type PlaceCallOptions,
} from './core/media-node.js';
export type {
  OutboundCallResult,
  OutboundCallState,
  OutboundCallView,
} from './core/outbound-calls.js';
export {
  WebhookEventMapper,
  maskPhoneNumbers,
  signWebhook,
  verifyWebhookSignature,
  type WebhookEvent,
} from './webhooks/index.js';
export { startMediaNodeServer, type RunningServer } from './node/server.js';
export { createParts, type NodeParts } from './node/parts.js';
export { Call, type CallEndReason, type CallOptions, type TransferSettings } from './core/call.js';
export {
  CallEventBus,
  type CallEvent,
  type CallEventInput,
  type TurnTimings,
} from './core/call-events.js';
export type {
  AgentAction,
  AgentFactory,
  AgentPort,
  AudioSinkPort,
  DialogPort,
  IncomingInvite,
  MediaDirection,
  MediaFactory,
  MediaPort,
  NegotiatedMedia,
  ReinviteAnswer,
  RtpStats,
  SignalingPort,
} from './core/call-ports.js';
export {
  decideInvite,
  isAccepting,
  optionsStatus,
  RETRY_AFTER_DRAINING_SECONDS,
  RETRY_AFTER_FULL_SECONDS,
  type AdmissionState,
  type InviteDecision,
} from './core/admission.js';
export { DrainController, decideDrain, type DrainDecision, type DrainInput } from './core/drain.js';
export {
  createNodeMetrics,
  LATENCY_BUCKETS_SECONDS,
  PACING_BUCKETS_MS,
  type NodeLabels,
  type NodeMetrics,
} from './telemetry/metrics.js';
export { startOpsServer, parsePlaceCallBody, type OpsTarget } from './node/http-server.js';
export { createJsonLogger, logLevelFromEnv, type Logger, type LogLevel } from './telemetry/log.js';
export { callTracing } from './core/turn-spans.js';
