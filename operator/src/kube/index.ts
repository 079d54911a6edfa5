// The only code of the operator that talks to the API server: list+watch caches (informers),
// server-side apply of children and status, Events, the leader-election Lease and the edge's
// set-id ConfigMap. Everything else reads these caches and hands its writes to them.
export {
  Informer,
  type InformerEvents,
  type InformerOptions,
  type InformerStats,
  type RelistReason,
} from './informer.js';
export {
  kubeListWatcher,
  resourcePath,
  type ListWatcher,
  type ResourceRef,
  type WatchEvent,
} from './informer-source.js';
export {
  InformerStore,
  labelIndex,
  objectKey,
  ownerUidIndex,
  type IndexFunc,
} from './informer-store.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
export { createApplier, FIELD_MANAGER, type Applier, type StatusTarget } from './apply.js';
export { createEventRecorder, type EventRecorder, type EventSpec } from './events.js';
