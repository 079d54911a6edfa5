// The fields the informer reads of any object it caches: enough for keys, labels, owners and
// resume points. Typed client models and the api package's resources both fit it.
export interface CachedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: ReadonlyArray<{
      uid: string;
      kind?: string;
      name?: string;
      controller?: boolean;
    }>;
  };
}
