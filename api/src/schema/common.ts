/** Building blocks shared by the VoiceAgent, SipTrunk and media-node schemas. */
import {
  FormatRegistry,
  Type,
  type Static,
  type TLiteral,
  type TProperties,
  type TUnion,
} from '@sinclair/typebox';

if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set(
    'date-time',
    (v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d\d-\d\dT/.test(v),
  );
}

export const E164_PATTERN = '^\\+[1-9][0-9]{1,14}$';
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** A string enum. The CRD generator turns it into `type: string` + `enum`. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description: string; default?: T[number] },
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );
}

/**
 * A closed object (no unknown fields) whose description is given where it is used, e.g. one
 * Secret reference described differently by each field that holds one.
 */
export function describedObject<P extends TProperties>(properties: P) {
  return (description: string) =>
    Type.Object(properties, { additionalProperties: false, description });
}

export const E164 = (description: string) =>
  Type.String({ pattern: E164_PATTERN, maxLength: 16, description });

const SecretName = Type.String({
  minLength: 1,
  maxLength: 253,
  description: 'Name of a Secret in the same namespace as this resource.',
});

export const SecretKeySelector = describedObject({
  name: SecretName,
  key: Type.String({
    minLength: 1,
    maxLength: 253,
    description: 'Key inside the Secret whose value is used.',
  }),
});
export type SecretKeySelector = Static<ReturnType<typeof SecretKeySelector>>;

export const SecretReference = describedObject({ name: SecretName });
export type SecretReference = Static<ReturnType<typeof SecretReference>>;

/** The standard `metav1.Condition`. */
export const Condition = Type.Object(
  {
    type: Type.String({
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Type of condition in CamelCase, e.g. Ready.',
    }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, {
      description: 'Status of the condition: True, False or Unknown.',
    }),
    observedGeneration: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'The .metadata.generation the condition was computed from.',
      }),
    ),
    lastTransitionTime: Type.String({
      format: 'date-time',
      description: 'When the condition last changed from one status to another.',
    }),
    reason: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'Programmatic identifier of the last transition, CamelCase.',
    }),
    message: Type.String({
      maxLength: 32768,
      description:
        'Human-readable details; says what to fix when the status is not the desired one.',
    }),
  },
  {
    description: 'Condition contains details for one aspect of the current state of this resource.',
  },
);
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Array(Condition, {
  maxItems: 32,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  description: 'Latest observations of the resource state, one per condition type.',
});

/** The part of `metadata` the voicefleet code reads. Other fields are allowed and kept. */
export const ObjectMeta = Type.Object(
  {
    name: Type.Optional(Type.String()),
    namespace: Type.Optional(Type.String()),
    uid: Type.Optional(Type.String()),
    generation: Type.Optional(Type.Integer()),
    resourceVersion: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { description: 'Standard object metadata.' },
);
export type ObjectMeta = Static<typeof ObjectMeta>;
