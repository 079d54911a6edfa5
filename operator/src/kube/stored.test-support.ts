// The test kit's objects (`@voicefleet/api/testing`) as the operator reads them from its caches.
import type { ObjectMeta } from '@voicefleet/api';
import type { Stored } from './stored.js';

/** `object` as the API server hands it out: in namespace `default`, with uid `uid-<name>`. */
export function stored<T extends { metadata: ObjectMeta }>(
  object: T,
  metadata: { creationTimestamp?: string } = {},
): Stored<T> {
  const { name } = object.metadata;
  if (name === undefined) throw new Error('stored(): the object has no metadata.name');
  return {
    ...object,
    metadata: { ...object.metadata, ...metadata, name, namespace: 'default', uid: `uid-${name}` },
  };
}
