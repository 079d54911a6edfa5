// The informer's cache: objects keyed by `namespace/name` with secondary indexes (by label, by
// owner). Pure data structure: no I/O, no clock; the informer feeds it list and watch results.
import type { CachedObject } from './cached-object.js';

/** Maps an object to the index values it is filed under (none: not indexed). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: CachedObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Index by the value of one label, prefixed with the namespace: `ns/<label value>`. */
export function labelIndex<T extends CachedObject>(label: string): IndexFunc<T> {
  return (obj) => {
    const value = obj.metadata?.labels?.[label];
    return value === undefined ? [] : [`${obj.metadata?.namespace ?? ''}/${value}`];
  };
}

/** Index by owner UID (every owner reference). */
export function ownerUidIndex<T extends CachedObject>(): IndexFunc<T> {
  return (obj) => (obj.metadata?.ownerReferences ?? []).map((ref) => ref.uid);
}

export type StoreChange<T> =
  { type: 'add'; obj: T } | { type: 'update'; old: T; obj: T } | { type: 'delete'; obj: T };

export class InformerStore<T extends CachedObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    this.indexes.set(name, new Map());
    for (const [key, obj] of this.items) this.fileUnder(name, fn, key, obj);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  size(): number {
    return this.items.size;
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (index === undefined) throw new Error(`informer: no index named "${name}"`);
    const keys = index.get(value) ?? new Set<string>();
    return [...keys].flatMap((key) => this.items.get(key) ?? []);
  }

  /** Applies an ADDED/MODIFIED object; returns the change, or undefined when nothing changed. */
  upsert(obj: T): StoreChange<T> | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion && old !== undefined) {
      return undefined;
    }
    if (old !== undefined) this.unfile(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.fileUnder(name, fn, key, obj);
    return old === undefined ? { type: 'add', obj } : { type: 'update', old, obj };
  }

  remove(obj: T): StoreChange<T> | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unfile(key, old);
    this.items.delete(key);
    return { type: 'delete', obj: old };
  }

  /** Replaces the content with a fresh list; returns the changes a watcher would have seen. */
  replace(objs: readonly T[]): StoreChange<T>[] {
    const changes: StoreChange<T>[] = [];
    const fresh = new Set(objs.map(objectKey));
    for (const [key, old] of [...this.items]) {
      if (!fresh.has(key)) changes.push(this.remove(old)!);
    }
    for (const obj of objs) {
      const change = this.upsert(obj);
      if (change !== undefined) changes.push(change);
    }
    return changes;
  }

  private fileUnder(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indexes.get(name)!;
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (keys === undefined) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unfile(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indexes.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
