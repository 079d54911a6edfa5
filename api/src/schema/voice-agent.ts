/** The VoiceAgent custom resource: a phone agent, its numbers, regions, capacity and pipeline. */
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, VOICE_AGENT_KIND } from '../constants.js';
import { cel } from './cel.js';
import { DNS_LABEL_PATTERN, E164, ObjectMeta, StringEnum, describedObject } from './common.js';
import { Events } from './events.js';
import { apiKeyFromSecret, pipelineSchema } from './pipeline.js';
import { PodResources } from './pod-resources.js';
import { Monitoring, Slo, sloWindowRule } from './slo.js';
import { VoiceAgentStatus } from './voice-agent-status.js';

/** G.722 and Opus are not among them yet: the media node speaks G.711 only. */
export const CODECS = ['PCMU', 'PCMA'] as const;
export type Codec = (typeof CODECS)[number];
export const TRANSFER_METHODS = ['refer', 'invite'] as const;
export type TransferMethod = (typeof TRANSFER_METHODS)[number];

export const Region = Type.Object(
  {
    name: Type.String({
      pattern: DNS_LABEL_PATTERN,
      maxLength: 63,
      description:
        'Region name, e.g. us-east-1. The operator instance that owns this region runs the pool.',
    }),
    minReplicas: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 1,
      description: 'Fewest media pods kept in this region, even with no calls.',
    }),
    maxReplicas: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 10,
      description:
        'Most media pods in this region; calls beyond their capacity fail over to peers.',
    }),
  },
  {
    additionalProperties: false,
    description: 'A region the agent runs in, with its replica limits.',
    'x-kubernetes-validations': [
      cel(
        'self.minReplicas <= self.maxReplicas',
        'minReplicas must be less than or equal to maxReplicas',
        (self: { minReplicas: number; maxReplicas: number }) =>
          self.minReplicas <= self.maxReplicas,
        '.minReplicas',
      ),
    ],
  },
);
export type Region = Static<typeof Region>;

export const SCALING_MODES = ['operator', 'external'] as const;
export type ScalingMode = (typeof SCALING_MODES)[number];

const ScaleLimit = describedObject({
  pods: Type.Integer({ minimum: 1, maximum: 1000, description: 'Most pods one step changes.' }),
  periodSeconds: Type.Integer({
    minimum: 1,
    maximum: 3600,
    description: 'Seconds between two steps in the same direction.',
  }),
});
export type ScaleLimit = Static<ReturnType<typeof ScaleLimit>>;

export const Capacity = Type.Object(
  {
    callsPerPod: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 50,
      description: 'Concurrent calls one media pod takes.',
    }),
    bufferCalls: Type.Integer({
      minimum: 0,
      maximum: 100000,
      default: 10,
      description:
        'Free call slots kept warm per region: desired pods = ceil((active calls + bufferCalls) / callsPerPod).',
    }),
    bufferPercent: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 0,
      description:
        'Free call slots kept warm as a percentage of the active calls; the buffer is the larger of bufferCalls and this share.',
    }),
    scaleDownStabilizationSeconds: Type.Integer({
      minimum: 0,
      maximum: 86400,
      default: 300,
      description:
        'Seconds a smaller pool must have been enough before pods are drained and removed: the pool shrinks to the largest size wanted in that window.',
    }),
    scaleUpLimit: Type.Optional(
      ScaleLimit(
        'Limits adding pods: each scale-up adds at most pods, and the next waits periodSeconds. Absent: no limit.',
      ),
    ),
    scaleDownLimit: Type.Optional(
      ScaleLimit(
        'Limits removing pods: each scale-down removes at most pods, and the next waits periodSeconds. Absent: no limit.',
      ),
    ),
    scaling: StringEnum(SCALING_MODES, {
      default: 'operator',
      description:
        "Who sets the media Deployments' replicas: operator (from calls, as above) or external (your HPA or KEDA ScaledObject; the operator never writes replicas, but still picks the pods with the fewest calls for removal and drains them).",
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Call-based autoscaling of the media pods.',
  },
);
export type Capacity = Static<typeof Capacity>;

export const TRANSFER_METHOD_RULE = cel(
  "self.method == 'refer'",
  'method invite (a bridged transfer) is not implemented yet; use refer (SIP REFER, the default)',
  (self: { method: string }) => self.method === 'refer',
  '.method',
);

export const Transfer = Type.Object(
  {
    target: Type.String({
      maxLength: 256,
      pattern: '^(\\+[1-9][0-9]{1,14}|sips?:[^\\s]+)$',
      description: 'Where transfers go: an E.164 number (+14155550199) or a sip: URI.',
    }),
    method: StringEnum(TRANSFER_METHODS, {
      default: 'refer',
      description:
        'refer: a blind transfer by SIP REFER to the caller side. invite (a call bridged by the agent) is not implemented yet and is rejected.',
    }),
    timeoutSeconds: Type.Integer({
      minimum: 5,
      maximum: 300,
      default: 30,
      description:
        'How long the agent waits for the outcome of a transfer (the final NOTIFY after its REFER: the target answered, was busy or failed). The agent hangs up once the target answered; when the REFER is refused, the target fails or this time passes, the agent tells the caller and stays on the call, and the call.transferred event says which.',
    }),
  },
  {
    additionalProperties: false,
    description: 'Transfer to a human, used by intents with action transfer.',
    'x-kubernetes-validations': [TRANSFER_METHOD_RULE],
  },
);
export type Transfer = Static<typeof Transfer>;

export const Pipeline = pipelineSchema(apiKeyFromSecret);
export type Pipeline = Static<typeof Pipeline>;

export const VoiceAgentSpec = Type.Object(
  {
    numbers: Type.Array(E164('An E.164 phone number, e.g. +14155550100.'), {
      maxItems: 100,
      default: [],
      'x-kubernetes-list-type': 'set',
      description:
        'Numbers (DIDs) this agent answers, in E.164. A number claimed by two agents is a conflict on both.',
    }),
    trunks: Type.Array(Type.String({ maxLength: 253 }), {
      maxItems: 16,
      default: [],
      'x-kubernetes-list-type': 'set',
      description: 'SipTrunk names in this namespace for outbound calls, in failover order.',
    }),
    regions: Type.Array(Region, {
      minItems: 1,
      maxItems: 16,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      description:
        'Regions the agent runs in (at least one); peers take calls when one is full or down.',
    }),
    capacity: Capacity,
    codecs: Type.Array(StringEnum(CODECS, { description: 'An audio codec.' }), {
      minItems: 1,
      maxItems: 2,
      default: ['PCMU', 'PCMA'],
      'x-kubernetes-list-type': 'set',
      description:
        'Audio codecs offered, in preference order: PCMU, PCMA. G.722 and Opus are not supported yet.',
    }),
    transfer: Type.Optional(Transfer),
    events: Type.Optional(Events),
    pipeline: Pipeline,
    slo: Slo,
    monitoring: Monitoring,
    drainTimeoutSeconds: Type.Integer({
      minimum: 0,
      maximum: 86400,
      default: 3600,
      description:
        'Seconds a draining media pod may keep its active calls (its terminationGracePeriodSeconds).',
    }),
    image: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'Media-node image override; empty uses the operator default.',
      }),
    ),
    resources: Type.Optional(PodResources),
  },
  {
    additionalProperties: false,
    description: 'Desired state of the voice agent.',
    'x-kubernetes-validations': [sloWindowRule],
  },
);
export type VoiceAgentSpec = Static<typeof VoiceAgentSpec>;

const AGENT_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The agent's name labels its media pods (voicefleet.io/agent) and names their Service. */
export const AGENT_NAME_RULE = cel(
  "self.metadata.name.size() <= 63 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
  'metadata.name must be at most 63 characters, start with a letter and contain only lowercase ' +
    "letters, digits and '-': it becomes a label value of the agent's media pods and the name of their Service",
  (self: { metadata: { name: string } }) =>
    self.metadata.name.length <= 63 && AGENT_NAME.test(self.metadata.name),
  '.metadata.name',
);

export const VoiceAgent = Type.Object(
  {
    apiVersion: Type.Literal(API_VERSION),
    kind: Type.Literal(VOICE_AGENT_KIND),
    metadata: ObjectMeta,
    spec: VoiceAgentSpec,
    status: Type.Optional(VoiceAgentStatus),
  },
  { 'x-kubernetes-validations': [AGENT_NAME_RULE] },
);
export type VoiceAgent = Static<typeof VoiceAgent>;
