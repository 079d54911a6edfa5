// Outbound credentials of a SipTrunk from the Secret its spec names (keys username, password,
// realm), as the manager's Secret cache holds it. Pure. Values go only into the edge's `creds`
// htable; never into logs, status or errors.
import type { V1Secret } from '@kubernetes/client-node';
import type { TrunkCredentials } from './edge-inputs.js';

/** The credentials in `secret`, or undefined when it is missing or lacks username or password. */
export function trunkCredentials(secret: V1Secret | undefined): TrunkCredentials | undefined {
  const get = (k: string): string | undefined => {
    const v = secret?.data?.[k];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  };
  const username = get('username');
  const password = get('password');
  if (username === undefined || password === undefined) return undefined;
  const realm = get('realm');
  return { username, password, ...(realm !== undefined ? { realm } : {}) };
}
