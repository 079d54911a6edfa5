// @voicefleet/operator: the Kubernetes operator for voice agent fleets. One folder per resource
// (./voice-agent, ./sip-trunk, ./edge) with its pure decisions and its controller, the manager
// that runs them (./manager), the only code that talks to the API server (./kube), the in-process
// runtime (./runtime: queue, conditions, metrics, logs) and the process entry (`main.ts`).
// The local fleet (@voicefleet/devtools) runs the same reconcile core through these exports.
export { parseConfig, ConfigError, USAGE, type OperatorConfig, type EdgeConfig } from './config.js';
export { runOperator } from './main.js';
export { loadKubeConfig } from './kube/kube-config.js';
export { runWhileLeader, leaseTimings } from './leadership.js';
export { Manager, type ManagerOptions } from './manager/manager.js';
export {
  decideVoiceAgent,
  AGENT_CONDITION_TYPES,
  type VoiceAgentInput,
  type VoiceAgentDecision,
} from './voice-agent/decide-voice-agent.js';
export {
  decideSipTrunk,
  type SipTrunkInput,
  type SipTrunkDecision,
} from './sip-trunk/decide-sip-trunk.js';
export {
  decideNumberOwnership,
  agentKey,
  agentsSharingNumbers,
  type NumberClaimant,
  type NumberOwnership,
  type LostNumber,
} from './voice-agent/number-ownership.js';
export {
  desiredDeployment,
  desiredService,
  desiredPodDisruptionBudget,
  desiredConfigMap,
  ownerReference,
} from './voice-agent/desired-children.js';
export { renderMediaNodeConfig } from './voice-agent/media-node-config.js';
export {
  scalePool,
  wantedReplicas,
  type PoolObservation,
  type PoolPolicy,
  type PoolScale,
  type ScaleHistory,
} from './scaling/pool-scaler.js';
export { PodLoadTracker, type PodLoad, type PodTarget } from './scaling/pod-load-tracker.js';
export { childName, childLabels, selectorLabels } from './voice-agent/child-names.js';
export { createApplier, FIELD_MANAGER, type Applier, type StatusTarget } from './kube/apply.js';
export {
  setCondition,
  mergeConditions,
  findCondition,
  type Condition,
} from './runtime/conditions.js';
export { createEventRecorder, type EventRecorder, type EventSpec } from './kube/events.js';
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
