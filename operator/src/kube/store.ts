// The read side of an informer cache, as controllers see it: they read caches and never the API.
import type { CachedObject } from './cached-object.js';
import type { Informer } from './informer.js';

export interface Store<T> {
  get(name: string, namespace: string): T | undefined;
  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[];
  /** Objects filed under `value` in a named index (see Informer.addIndex). */
  byIndex(index: string, value: string): T[];
}

export function storeOf<T extends CachedObject>(informer: Informer<T>): Store<T> {
  return {
    get: (name, namespace) => informer.get(namespace, name),
    list: (namespace) =>
      namespace === undefined
        ? informer.list()
        : informer.list().filter((o) => o.metadata?.namespace === namespace),
    byIndex: (index, value) => informer.byIndex(index, value),
  };
}

/** `namespace/name`: the key of a namespaced object in caches and work queues. */
export function namespacedKey(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, Math.max(0, i)), name: key.slice(i + 1) };
}
