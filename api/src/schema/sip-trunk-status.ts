/** SipTrunk.status: gateway health (written by the edge sync) and conditions. */
import { Type, type Static } from '@sinclair/typebox';
import { Conditions, StringEnum } from './common.js';

export const GATEWAY_STATES = ['Up', 'Down', 'Unknown'] as const;
export type GatewayState = (typeof GATEWAY_STATES)[number];

export const GatewayStatus = Type.Object(
  {
    name: Type.String({ description: 'Name of the gateway in spec.gateways.' }),
    state: StringEnum(GATEWAY_STATES, {
      default: 'Unknown',
      description: 'Health of the gateway: Up, Down or Unknown (until the edge has probed it).',
    }),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the gateway entered its state.' }),
    ),
    lastProbe: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the edge last probed the gateway.' }),
    ),
    lastProbeResult: Type.Optional(
      Type.String({ description: 'Result of the last probe, e.g. "200 OK" or "timeout".' }),
    ),
    rttMs: Type.Optional(
      Type.Number({ minimum: 0, description: 'Round-trip time of the last probe.' }),
    ),
  },
  { description: 'Observed health of one gateway, as seen by the edge.' },
);
export type GatewayStatus = Static<typeof GatewayStatus>;

export const SipTrunkStatus = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The .metadata.generation last reconciled.' }),
    ),
    conditions: Type.Optional(Conditions),
    gateways: Type.Optional(
      Type.Array(GatewayStatus, {
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        description: 'Health of each gateway.',
      }),
    ),
    gatewaysUp: Type.Optional(
      Type.String({ description: 'Gateways up out of all, e.g. 2/2 (printer column).' }),
    ),
  },
  { description: 'Observed state of the carrier connection.' },
);
export type SipTrunkStatus = Static<typeof SipTrunkStatus>;
