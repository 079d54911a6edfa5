// Fixture builders for the SipTrunk unit tests.
import type { SipTrunkObject } from '../resources.js';

export function sipTrunk(name: string, secret: string | undefined): SipTrunkObject {
  return {
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'SipTrunk',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      gateways: [
        { name: 'primary', host: '127.0.0.1', port: 5070 },
        { name: 'backup', host: '127.0.0.2', port: 5070 },
      ],
      ...(secret !== undefined ? { outbound: { credentialsSecretRef: { name: secret } } } : {}),
    },
  };
}
