// What the controllers need from the runtime, as interfaces: read-only informer caches, the
// applier and the event recorder. main.ts wires the real ones; tests can pass small fakes.
import type { Applier } from '../kube/apply.js';
import type { EventRecorder } from '../kube/events.js';
import type { Logger } from '../runtime/log.js';

/** The read side of an informer cache (same shape as client-node's ObjectCache). */
export interface Store<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): T[];
}

export interface ControllerDeps {
  applier: Applier;
  events: EventRecorder;
  log: Logger;
  now: () => Date;
}

export function objectKey(o: {
  metadata?: { namespace?: string | undefined; name?: string | undefined } | undefined;
}): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
