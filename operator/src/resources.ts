// How the operator reads its custom resources out of the caches: totally. The schema defaults are
// filled in (as on a server whose CRD carries them) and the object is validated as admission
// would; what fails comes back as field errors, never as an exception. Results are kept per cached
// object: a watch event replaces the object, so each version is read once.
import {
  checkSipTrunk,
  checkVoiceAgent,
  type FieldError,
  type SipTrunk,
  type VoiceAgent,
} from '@voicefleet/api';
import type { Stored } from './kube/stored.js';

export interface Read<T> {
  /** The object with every schema default filled in. */
  value: T;
  /** What admission would reject in it; empty for an object the API server validated. */
  errors: FieldError[];
}

function reader<T extends object>(check: (o: T) => Read<T>): (cached: T) => Read<T> {
  const seen = new WeakMap<T, Read<T>>();
  return (cached) => {
    let read = seen.get(cached);
    if (read === undefined) {
      read = check(cached);
      seen.set(cached, read);
    }
    return read;
  };
}

export const readVoiceAgent: (cached: Stored<VoiceAgent>) => Read<Stored<VoiceAgent>> =
  reader(checkVoiceAgent);

export const readSipTrunk: (cached: Stored<SipTrunk>) => Read<Stored<SipTrunk>> =
  reader(checkSipTrunk);
