/** VoiceAgent.status: per-region pools, calls and conditions, written by the operator. */
import { Type, type Static } from '@sinclair/typebox';
import { Conditions } from './common.js';

export const RegionStatus = Type.Object(
  {
    name: Type.String({ description: 'Region name from spec.regions.' }),
    desiredReplicas: Type.Integer({ minimum: 0, description: 'Media pods the scaler wants.' }),
    readyReplicas: Type.Integer({ minimum: 0, description: 'Media pods ready to take calls.' }),
    activeCalls: Type.Integer({ minimum: 0, description: 'Calls in progress in the region.' }),
    capacity: Type.Integer({ minimum: 0, description: 'Calls the ready pods can take in total.' }),
  },
  { description: 'Observed state of one region pool.' },
);
export type RegionStatus = Static<typeof RegionStatus>;

export const VoiceAgentStatus = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The .metadata.generation last reconciled.' }),
    ),
    conditions: Type.Optional(Conditions),
    regions: Type.Optional(
      Type.Array(RegionStatus, {
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        description: 'Per-region pool state.',
      }),
    ),
    activeCalls: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Calls in progress across regions.' }),
    ),
    regionsSummary: Type.Optional(
      Type.String({ description: 'Regions served, e.g. us-east-1,eu-west-1 (printer column).' }),
    ),
  },
  { description: 'Observed state of the voice agent.' },
);
export type VoiceAgentStatus = Static<typeof VoiceAgentStatus>;
