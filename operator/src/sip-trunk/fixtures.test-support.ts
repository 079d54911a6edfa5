// Fixture builders for the SipTrunk unit tests: trunks as the controller reads them (stored,
// every schema default filled in).
import { API_VERSION, SIP_TRUNK_KIND, applySipTrunkDefaults, type SipTrunk } from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';

export function sipTrunk(name: string, secret: string | undefined): Stored<SipTrunk> {
  const manifest = {
    apiVersion: API_VERSION,
    kind: SIP_TRUNK_KIND,
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      gateways: [
        { name: 'primary', host: '127.0.0.1', port: 5070 },
        { name: 'backup', host: '127.0.0.2', port: 5070 },
      ],
      ...(secret !== undefined ? { outbound: { credentialsSecretRef: { name: secret } } } : {}),
    },
  };
  // A manifest leaves defaulted fields out; the defaults make it what the API server stores.
  return applySipTrunkDefaults(manifest as unknown as Stored<SipTrunk>);
}
