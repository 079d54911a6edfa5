// A typed list+watch cache of one resource. It lists, then watches from the list's
// resourceVersion with bookmarks; a watch the server closes is resumed from the last seen
// version; a 410 Gone, a watch error or a stalled watch (nothing, not even a bookmark, for
// `stallMs`) leads to a relist with capped, jittered backoff. A relist is diffed against the
// cache, so handlers see the adds, updates and deletes they missed.
import type { KubeConfig } from '@kubernetes/client-node';
import type { CachedObject } from './cached-object.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, WATCH_BACKOFF, withJitter, type BackoffPolicy } from '../runtime/backoff.js';
import {
  kubeListWatcher,
  type ListWatcher,
  type ResourceRef,
  type WatchEnd,
  type WatchEvent,
} from './informer-source.js';
import { InformerStore, objectKey, type IndexFunc, type StoreChange } from './informer-store.js';

export type RelistReason = 'initial' | 'expired' | 'watch-error' | 'stalled' | 'list-error';

export interface InformerEvents<T> {
  add: [obj: T];
  update: [old: T, obj: T];
  delete: [obj: T];
  /** A full list was applied (the first one marks the informer synced). */
  relisted: [reason: RelistReason];
  /** A list or watch failed; the informer retries by itself. */
  error: [error: unknown];
}

export interface InformerOptions {
  /** Server-side watch timeout asked with `timeoutSeconds` (default 300). */
  watchTimeoutSeconds?: number;
  /** A watch with no event or bookmark for this long is restarted (default 2x the timeout). */
  stallMs?: number;
  backoff?: BackoffPolicy;
}

export interface InformerStats {
  relists: number;
  lastRelistReason: RelistReason | undefined;
  watches: number;
}

type Listener<A extends unknown[]> = (...args: A) => void;
type AnyListener = (...args: unknown[]) => void;

export class Informer<T extends CachedObject> {
  private readonly store = new InformerStore<T>();
  private readonly listeners = new Map<keyof InformerEvents<T>, Set<AnyListener>>();
  private readonly timeoutSeconds: number;
  private readonly stallMs: number;
  private readonly backoff: BackoffPolicy;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private resourceVersion = '';
  private readonly counters: InformerStats = {
    relists: 0,
    lastRelistReason: undefined,
    watches: 0,
  };

  constructor(
    private readonly source: ListWatcher<T>,
    options: InformerOptions = {},
  ) {
    this.timeoutSeconds = options.watchTimeoutSeconds ?? 300;
    this.stallMs = options.stallMs ?? 2 * this.timeoutSeconds * 1000;
    this.backoff = options.backoff ?? WATCH_BACKOFF;
  }

  /** An informer over the Kubernetes API for `ref`. */
  static forResource<T extends CachedObject>(
    kc: KubeConfig,
    ref: ResourceRef,
    options: InformerOptions = {},
  ): Informer<T> {
    return new Informer<T>(kubeListWatcher<T>(kc, ref), options);
  }

  on<E extends keyof InformerEvents<T>>(
    event: E,
    listener: Listener<InformerEvents<T>[E]>,
  ): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return () => set.delete(listener as unknown as AnyListener);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first complete list (rejects when `signal` aborts first). */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  }

  list(): T[] {
    return this.store.list();
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  stats(): InformerStats {
    return { ...this.counters };
  }

  /** Lists and watches until `signal` aborts. Never rejects on API errors: it retries. */
  async run(signal: AbortSignal): Promise<void> {
    let reason: RelistReason = 'initial';
    let failures = 0;
    while (!signal.aborted) {
      if (failures > 0) {
        const delay = withJitter(backoffDelay(failures, this.backoff), Math.random());
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
      }
      try {
        const listed = await this.source.list(signal);
        this.applyList(listed.items, listed.resourceVersion, reason);
      } catch (error) {
        if (signal.aborted) return;
        this.emit('error', error);
        failures++;
        reason = 'list-error';
        continue;
      }
      failures = 0;
      const end = await this.watchUntilBroken(signal);
      if (end === 'aborted') return;
      reason = end;
      if (end === 'watch-error' || end === 'stalled') failures = 1;
    }
  }

  /** Watches (resuming after server-side closes) until a relist is needed. */
  private async watchUntilBroken(
    signal: AbortSignal,
  ): Promise<'aborted' | Exclude<RelistReason, 'initial' | 'list-error'>> {
    let emptyCloses = 0;
    for (;;) {
      const watchAbort = new AbortController();
      const startedAt = Date.now();
      let events = 0;
      const onOuterAbort = () => watchAbort.abort();
      signal.addEventListener('abort', onOuterAbort, { once: true });
      let stalled = false;
      let stallTimer: NodeJS.Timeout | undefined;
      const armStall = () => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          stalled = true;
          watchAbort.abort();
        }, this.stallMs);
      };
      armStall();
      this.counters.watches++;
      let end: WatchEnd;
      try {
        end = await this.source.watch({
          resourceVersion: this.resourceVersion,
          timeoutSeconds: this.timeoutSeconds,
          signal: watchAbort.signal,
          onEvent: (event) => {
            events++;
            armStall();
            this.applyEvent(event);
          },
        });
      } catch (error) {
        end = { kind: 'error', error };
      } finally {
        clearTimeout(stallTimer);
        signal.removeEventListener('abort', onOuterAbort);
      }
      if (signal.aborted) return 'aborted';
      if (stalled) return 'stalled';
      switch (end.kind) {
        case 'closed':
          // The server's timeout: resume from the last seen version. A server that keeps
          // closing at once without sending anything gets backoff rather than a hot loop.
          emptyCloses = events === 0 && Date.now() - startedAt < 1_000 ? emptyCloses + 1 : 0;
          if (emptyCloses > 0) {
            const delay = withJitter(backoffDelay(emptyCloses, this.backoff), Math.random());
            await sleep(delay, undefined, { signal }).catch(() => undefined);
            if (signal.aborted) return 'aborted';
          }
          continue;
        case 'expired':
          return 'expired';
        case 'aborted':
          return 'stalled';
        case 'error':
          this.emit('error', end.error);
          return 'watch-error';
      }
    }
  }

  private applyList(items: T[], resourceVersion: string, reason: RelistReason): void {
    const changes = this.store.replace(items);
    this.resourceVersion = resourceVersion;
    this.counters.relists++;
    this.counters.lastRelistReason = reason;
    for (const change of changes) this.emitChange(change);
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
    this.emit('relisted', reason);
  }

  private applyEvent(event: WatchEvent<T>): void {
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = event.resourceVersion;
      return;
    }
    const rv = event.object.metadata?.resourceVersion;
    if (rv !== undefined) this.resourceVersion = rv;
    const change =
      event.type === 'DELETED' ? this.store.remove(event.object) : this.store.upsert(event.object);
    if (change !== undefined) this.emitChange(change);
  }

  private emitChange(change: StoreChange<T>): void {
    if (change.type === 'update') this.emit('update', change.old, change.obj);
    else this.emit(change.type, change.obj);
  }

  private emit<E extends keyof InformerEvents<T>>(event: E, ...args: InformerEvents<T>[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      (listener as unknown as Listener<InformerEvents<T>[E]>)(...args);
    }
  }
}

export { objectKey };
