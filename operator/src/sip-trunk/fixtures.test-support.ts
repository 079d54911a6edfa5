// Fixture builders for the SipTrunk unit tests: the test kit's trunks as the controller reads them
// (stored: uid set, every schema default filled in).
import type { SipTrunk } from '@voicefleet/api';
import { sipTrunk as kitTrunk } from '@voicefleet/api/testing';
import type { Stored } from '../kube/stored.js';
import { stored } from '../kube/stored.test-support.js';

/** A trunk with gateways `primary` and `backup`, and outbound credentials in `secret` if given. */
export function sipTrunk(name: string, secret: string | undefined): Stored<SipTrunk> {
  return stored(
    kitTrunk(name, {
      generation: 1,
      gateways: [
        { name: 'primary', port: 5070 },
        { name: 'backup', host: '127.0.0.2', port: 5070 },
      ],
      ...(secret !== undefined ? { credentialsSecret: secret } : {}),
    }),
  );
}
