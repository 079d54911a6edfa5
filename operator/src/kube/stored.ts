// A namespaced object as the API server hands it out (JSON, never deserialized into Dates): name,
// namespace and uid are always set, the timestamps are RFC 3339 strings. The api package's types
// leave these optional or out, since a manifest omits them.
import type { ObjectMeta } from '@voicefleet/api';

export type Stored<T extends { metadata: ObjectMeta }> = T & {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
};
