/**
 * @voicefleet/media-node: the data plane process (SIP + RTP + agent loop). The process entry is
 * `src/node/main.ts` (`bin/media-node`); these exports let other packages and tests embed or
 * inspect the node.
 */
export {
  MediaNode,
  outboundTarget,
  type MediaNodeOptions,
  type MediaNodeSettings,
} from './node/media-node.js';
export { startMediaNodeServer, type RunningServer } from './node/server.js';
export { createParts, type NodeParts } from './node/parts.js';
export { Call, type CallEndReason, type CallOptions, type TransferSettings } from './node/call.js';
export {
  CallEventBus,
  type CallEvent,
  type CallEventInput,
  type TurnTimings,
} from './node/call-events.js';
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
} from './node/call-ports.js';
export {
  decideInvite,
  isAccepting,
  optionsStatus,
  RETRY_AFTER_DRAINING_SECONDS,
  RETRY_AFTER_FULL_SECONDS,
  type AdmissionState,
  type InviteDecision,
} from './node/admission.js';
export { DrainController, decideDrain, type DrainDecision, type DrainInput } from './node/drain.js';
export {
  createNodeMetrics,
  LATENCY_BUCKETS_SECONDS,
  PACING_BUCKETS_MS,
  type NodeMetrics,
} from './node/metrics.js';
export {
  startOpsServer,
  parsePlaceCallBody,
  type NodeStatus,
  type OpsTarget,
} from './node/http-server.js';
export { createJsonLogger, logLevelFromEnv, type Logger, type LogLevel } from './node/log.js';
export { startTracing, recordTurnSpans, type Tracing } from './node/tracing.js';
