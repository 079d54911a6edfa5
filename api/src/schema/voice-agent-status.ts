/** VoiceAgent.status: per-region pools, calls and conditions, written by the operator. */
import { Type, type Static } from '@sinclair/typebox';
import { Conditions, StringEnum } from './common.js';

/** Why a pool's desired size differs from what its calls alone ask for. */
export const SCALE_LIMITS = [
  'MaxReplicas',
  'MinReplicas',
  'Stabilizing',
  'RateLimited',
  'LoadUnknown',
  'CallsInProgress',
  'External',
] as const;
export type ScaleLimitReason = (typeof SCALE_LIMITS)[number];

export const ScaleRecommendation = Type.Object(
  {
    time: Type.String({ format: 'date-time', description: 'When the calls first asked for it.' }),
    replicas: Type.Integer({ minimum: 0, description: 'Pods the calls asked for.' }),
  },
  { description: 'A pool size the calls asked for.' },
);
export type ScaleRecommendation = Static<typeof ScaleRecommendation>;

export const RegionStatus = Type.Object(
  {
    name: Type.String({ description: 'Region name from spec.regions.' }),
    desiredReplicas: Type.Integer({ minimum: 0, description: 'Media pods the scaler wants.' }),
    readyReplicas: Type.Integer({ minimum: 0, description: 'Media pods ready to take calls.' }),
    activeCalls: Type.Integer({
      minimum: 0,
      description: "Calls in progress in the region's media pods, draining ones included.",
    }),
    drainingCalls: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Of activeCalls, those on pods that are draining (they finish there).',
      }),
    ),
    capacity: Type.Integer({
      minimum: 0,
      description: 'Calls the ready pods that are not draining can take in total.',
    }),
    limited: Type.Optional(
      StringEnum(SCALE_LIMITS, {
        description:
          'Why desiredReplicas is not what the calls alone ask for: MaxReplicas, MinReplicas, Stabilizing (waiting out scaleDownStabilizationSeconds), RateLimited (scaleUpLimit or scaleDownLimit), LoadUnknown (a ready pod has not reported its calls yet, so no pod is removed), CallsInProgress (the calls on the pool need more pods than maxReplicas), External (capacity.scaling is external).',
      }),
    ),
    scaleReason: Type.Optional(
      Type.String({ description: 'How desiredReplicas was chosen, in words.' }),
    ),
    recommendations: Type.Optional(
      Type.Array(ScaleRecommendation, {
        maxItems: 1000,
        description:
          'Pool sizes the calls asked for within scaleDownStabilizationSeconds, each from its time on, largest first: the pool shrinks to the first one.',
      }),
    ),
    lastScaleUpTime: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the operator last added pods.' }),
    ),
    lastScaleDownTime: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the operator last removed pods.' }),
    ),
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
