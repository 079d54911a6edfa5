// The edge: what each region's Kamailio should route (pure: desiredRoutingState,
// desiredEdgeRouting, diffRoutingState), the one serialized JSON-RPC writer per Kamailio that
// applies and verifies it (EdgeWriter, EdgeSyncLoop), and EdgeSync, which runs both on the
// manager's caches and writes gateway health and RoutingPublished back into status.
export { AGENT_LABEL, DRAINING_ANNOTATION, REGION_LABEL } from '@voicefleet/api';
export {
  desiredRoutingState,
  normalizeNumber,
  type AgentRouting,
  type DesiredRouting,
} from './desired-routing-state.js';
export { desiredEdgeRouting, type EdgeRouting } from './desired-edge-routing.js';
export { diffRoutingState, describeOp, type EdgeOp } from './diff-routing-state.js';
export {
  type EdgeInputs,
  type EndpointLike,
  type EndpointSliceLike,
  type RegionConfig,
  type TrunkCredentials,
} from './edge-inputs.js';
export { EdgeSync, EDGE_FIELD_MANAGER, type EdgeSyncOptions } from './edge-sync.js';
export { discoveredEdges, type RegionalEndpoint } from './edge-fleet.js';
export { deriveGatewayStatuses, agentRoutingCondition } from './edge-status.js';
export { decideEdgeStatus, type EdgeObservation } from './decide-edge-status.js';
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
