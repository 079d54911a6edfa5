// The status a controller last wrote for each object, until its informer's cache shows the write.
// A reconcile that runs between the write and its watch event (a child's event often comes first)
// would otherwise decide from the status before the write, find it different, and write the
// same status again. Resource versions are opaque: a cached copy still at the version the write
// started from is older than the write; any other version is newer, whoever wrote it.

interface Written<S> {
  from: string;
  status: S;
  at: Date;
}

interface Versioned {
  metadata: { resourceVersion?: string | undefined };
  status?: unknown;
}

export class WrittenStatuses<S extends object> {
  readonly #byKey = new Map<string, Written<S>>();

  /** After a successful write of `status` to `key`, decided from its cached copy at `fromVersion`. */
  remember(key: string, fromVersion: string | undefined, status: S, at: Date): void {
    if (fromVersion === undefined) this.#byKey.delete(key);
    else this.#byKey.set(key, { from: fromVersion, status, at });
  }

  /**
   * The object as it stands after our last write: `cached` itself once the cache has moved on,
   * or, while it still holds the version that write started from, `cached` with the written
   * status over its own, and when that write was made.
   */
  current<T extends Versioned>(key: string, cached: T): { object: T; writtenAt?: Date } {
    const written = this.#byKey.get(key);
    if (written === undefined) return { object: cached };
    if (written.from !== cached.metadata.resourceVersion) {
      this.#byKey.delete(key);
      return { object: cached };
    }
    const status = { ...(cached.status as object | undefined), ...written.status };
    return { object: { ...cached, status }, writtenAt: written.at };
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }

  get size(): number {
    return this.#byKey.size;
  }
}
