// @voicefleet/operator: the Kubernetes operator for voice agent fleets. Controllers (VoiceAgent,
// SipTrunk) with their pure decisions, the runtime they run on (apply, conditions, events,
// metrics, ops server), and the process entry (`main.ts`). The edge sync lives in ./edge. The
// local fleet (@voicefleet/devtools) runs the same reconcile core through these exports.
export { parseConfig, ConfigError, USAGE, type OperatorConfig, type EdgeConfig } from './config.js';
export { runOperator, loadKubeConfig } from './main.js';
export { runWhileLeader, leaseTimings } from './leadership.js';
export { Manager, type ManagerOptions } from './controllers/manager.js';
export {
  decideVoiceAgent,
  AGENT_CONDITION_TYPES,
  type VoiceAgentInput,
  type VoiceAgentDecision,
  type RegionStatus,
} from './controllers/decide-voice-agent.js';
export {
  decideSipTrunk,
  type SipTrunkInput,
  type SipTrunkDecision,
} from './controllers/decide-sip-trunk.js';
export {
  decideNumberOwnership,
  agentKey,
  agentsSharingNumbers,
  type NumberClaimant,
  type NumberOwnership,
  type LostNumber,
} from './controllers/number-ownership.js';
export {
  desiredDeployment,
  desiredService,
  desiredPodDisruptionBudget,
  desiredConfigMap,
  ownerReference,
} from './controllers/desired-children.js';
export { renderMediaNodeConfig } from './controllers/media-node-config.js';
export { poolReplicas, type PoolPolicy } from './controllers/pool-replicas.js';
export { childName, childLabels, selectorLabels, MANAGED_SELECTOR } from './controllers/names.js';
export { createApplier, FIELD_MANAGER, type Applier, type StatusTarget } from './runtime/apply.js';
export {
  setCondition,
  mergeConditions,
  findCondition,
  type Condition,
} from './runtime/conditions.js';
export { createEventRecorder, type EventRecorder, type EventSpec } from './runtime/events.js';
export { createOperatorMetrics, type OperatorMetrics } from './runtime/metrics.js';
export { startOpsServer, type OpsServer } from './runtime/ops-server.js';
export { createLogger, type Logger } from './runtime/log.js';
export {
  AGENT_LABEL,
  REGION_LABEL,
  desiredRoutingState,
  parseSetIds,
  serializeSetIds,
  EdgeWriter,
  KamailioRpcClient,
  type DestinationHealth,
  type EndpointSliceLike,
  type TrunkCredentials,
} from './edge/index.js';
