// Outbound credentials of each SipTrunk, read from the Secret its spec names (keys username,
// password, realm). Values go only into the `creds` htable; never into logs or errors.
import type { CoreV1Api } from '@kubernetes/client-node';
import type { SipTrunk } from '@voicefleet/api';
import type { Logger } from '../runtime/log.js';
import type { TrunkCredentials } from './edge-inputs.js';

/** Reads each trunk's credentials Secret (keys username, password, realm). */
export async function refreshCredentials(
  core: CoreV1Api,
  trunks: readonly SipTrunk[],
  out: Map<string, TrunkCredentials>,
  log: Logger,
): Promise<void> {
  out.clear();
  for (const trunk of trunks) {
    const ref = trunk.spec.outbound?.credentialsSecretRef;
    const namespace = trunk.metadata.namespace ?? 'default';
    if (ref === undefined) continue;
    try {
      const secret = await core.readNamespacedSecret({ name: ref.name, namespace });
      const get = (k: string): string | undefined => {
        const v = secret.data?.[k];
        return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
      };
      const username = get('username');
      const password = get('password');
      if (username === undefined || password === undefined) continue;
      const realm = get('realm');
      out.set(`${namespace}/${trunk.metadata.name ?? ''}`, {
        username,
        password,
        ...(realm !== undefined ? { realm } : {}),
      });
    } catch {
      log.warn('trunk credentials secret unreadable', {
        namespace,
        trunk: trunk.metadata.name,
        secret: ref.name,
      });
    }
  }
}
