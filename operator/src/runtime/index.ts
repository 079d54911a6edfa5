// The operator's in-process runtime: the keyed work queue and its backoff (docs/operator-runtime.md),
// status conditions, metrics, logs, the ops server and signal handling. Nothing here talks to the
// API server: that is ../kube.
export {
  backoffDelay,
  RECONCILE_BACKOFF,
  WATCH_BACKOFF,
  withJitter,
  type BackoffPolicy,
} from './backoff.js';
export { systemClock, type Clock } from './work-queue-clock.js';
export {
  WorkQueue,
  type KeyHandler,
  type ProcessedEvent,
  type ReconcileResult,
  type WorkQueueOptions,
} from './work-queue.js';
