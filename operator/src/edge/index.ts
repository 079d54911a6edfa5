// The edge: what Kamailio should route (pure: desiredRoutingState, diffRoutingState) and the one
// serialized JSON-RPC writer per Kamailio that applies and verifies it (EdgeWriter). startEdgeSync
// wires them to the cluster: informers in, Kamailio and SipTrunk/VoiceAgent status out.
export {
  desiredRoutingState,
  normalizeNumber,
  type AgentRouting,
  type DesiredRouting,
} from './desired-routing-state.js';
export { diffRoutingState, describeOp, type EdgeOp } from './diff-routing-state.js';
export {
  AGENT_LABEL,
  DRAINING_ANNOTATION,
  REGION_LABEL,
  type EdgeInputs,
  type EndpointLike,
  type EndpointSliceLike,
  type RegionConfig,
  type TrunkCredentials,
} from './edge-inputs.js';
export {
  startEdgeSync,
  EDGE_FIELD_MANAGER,
  type EdgeSync,
  type EdgeSyncOptions,
} from './start-edge-sync.js';
export { deriveGatewayStatuses, agentRoutingCondition } from './edge-status.js';
export { EdgeSyncLoop, type PassOutcome, type SyncLoopOptions } from './sync-loop.js';
export {
  EdgeWriter,
  EdgeVerificationError,
  type EdgeWriterOptions,
  type SyncResult,
} from './edge-writer.js';
export { KamailioRpcClient, KamailioRpcError, type KamailioEndpoint } from './rpc-client.js';
export { parseDispatcherList, parseHtableDump, type DestinationHealth } from './actual-state.js';
export { assignSetIds, parseSetIds, serializeSetIds, type SetIdAssignment } from './set-ids.js';
export {
  HTABLES,
  setKeys,
  type DispatcherDestination,
  type DispatcherSet,
  type RoutingState,
} from './routing-state.js';
