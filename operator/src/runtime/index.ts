// The operator's controller runtime: informer caches, the keyed work queue, leader election
// (docs/operator-runtime.md), plus server-side apply, conditions, events and metrics.
export {
  backoffDelay,
  RECONCILE_BACKOFF,
  WATCH_BACKOFF,
  withJitter,
  type BackoffPolicy,
} from './backoff.js';
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
export { systemClock, type Clock } from './work-queue-clock.js';
export {
  WorkQueue,
  type KeyHandler,
  type ProcessedEvent,
  type ReconcileResult,
  type WorkQueueOptions,
} from './work-queue.js';
