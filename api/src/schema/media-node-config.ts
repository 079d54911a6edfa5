/** The media-node process configuration (`config.yaml` in the ConfigMap the operator writes). */
import { Type, type Static } from '@sinclair/typebox';
import { DNS_LABEL_PATTERN, StringEnum } from './common.js';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_URL_PATTERN } from './events.js';
import { apiKeyFromEnv, pipelineSchema } from './pipeline.js';
import { CODECS, TRANSFER_METHODS } from './voice-agent.js';

const port = (def: number, description: string) =>
  Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: def,
    description: `${description} (0 picks a free port).`,
  });
const host = (description: string) =>
  Type.String({ minLength: 1, maxLength: 253, default: '0.0.0.0', description });

export const MediaNodePipeline = pipelineSchema(apiKeyFromEnv);
export type MediaNodePipeline = Static<typeof MediaNodePipeline>;

export const MediaNodeConfig = Type.Object(
  {
    agent: Type.Object(
      {
        namespace: Type.String({
          minLength: 1,
          maxLength: 63,
          description: 'Namespace of the VoiceAgent.',
        }),
        name: Type.String({ minLength: 1, maxLength: 253, description: 'Name of the VoiceAgent.' }),
      },
      { additionalProperties: false },
    ),
    region: Type.String({
      pattern: DNS_LABEL_PATTERN,
      maxLength: 63,
      description: 'Region this node serves.',
    }),
    sip: Type.Object(
      {
        host: host('Address the SIP endpoint binds.'),
        port: port(5060, 'SIP port (UDP and TCP)'),
        advertisedHost: Type.String({
          maxLength: 253,
          default: '',
          description:
            'Address put in Contact/SDP; empty uses the bound host (pods get the pod IP via env).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    rtp: Type.Object(
      {
        host: host('Address RTP sockets bind.'),
        portMin: Type.Integer({
          minimum: 1,
          maximum: 65535,
          default: 20000,
          description: 'Lowest RTP port.',
        }),
        portMax: Type.Integer({
          minimum: 1,
          maximum: 65535,
          default: 29999,
          description: 'Highest RTP port.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        host: host('Address the HTTP control server binds.'),
        port: port(
          8080,
          'HTTP control port: /healthz, /readyz, /status, /drain, POST /calls, /events',
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    metrics: Type.Object(
      {
        host: host('Address the metrics server binds.'),
        port: port(9464, 'Metrics port: GET /metrics (Prometheus text) and nothing else'),
      },
      { additionalProperties: false, default: {} },
    ),
    capacity: Type.Object(
      {
        maxCalls: Type.Integer({
          minimum: 1,
          maximum: 10000,
          default: 50,
          description: 'Concurrent calls accepted.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    codecs: Type.Array(StringEnum(CODECS, { description: 'An audio codec.' }), {
      minItems: 1,
      maxItems: 2,
      default: ['PCMU', 'PCMA'],
      'x-kubernetes-list-type': 'set',
    }),
    edge: Type.Object(
      {
        uri: Type.String({
          pattern: '^sips?:[^\\s]+$',
          maxLength: 512,
          description: 'SIP URI of the edge, where outbound calls and transfers go.',
        }),
      },
      { additionalProperties: false },
    ),
    transfer: Type.Optional(
      Type.Object(
        {
          target: Type.String({ maxLength: 256, pattern: '^(\\+[1-9][0-9]{1,14}|sips?:[^\\s]+)$' }),
          method: StringEnum(TRANSFER_METHODS, {
            default: 'refer',
            description: 'refer or invite.',
          }),
          timeoutSeconds: Type.Integer({
            minimum: 5,
            maximum: 300,
            default: 30,
            description: 'How long to wait for the final NOTIFY of a REFER.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    events: Type.Optional(
      Type.Object(
        {
          webhooks: Type.Array(
            Type.Object(
              {
                url: Type.String({ maxLength: 2048, pattern: WEBHOOK_URL_PATTERN }),
                secretEnv: Type.String({
                  minLength: 1,
                  maxLength: 128,
                  description: 'Environment variable holding the HMAC-SHA256 signing key.',
                }),
                events: Type.Array(
                  StringEnum(WEBHOOK_EVENT_TYPES, { description: 'A call event type.' }),
                  {
                    minItems: 1,
                    maxItems: WEBHOOK_EVENT_TYPES.length,
                  },
                ),
              },
              { additionalProperties: false },
            ),
            { maxItems: 8 },
          ),
          queueSize: Type.Integer({
            minimum: 1,
            maximum: 100000,
            default: 1000,
            description: 'Deliveries held per webhook; beyond it new events are dropped.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    pipeline: MediaNodePipeline,
    media: Type.Object(
      {
        timeoutSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 30,
          description: 'Seconds without caller RTP before the call is ended.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    drain: Type.Object(
      {
        deadlineSeconds: Type.Integer({
          minimum: 0,
          maximum: 86400,
          default: 3600,
          description: 'Seconds a draining node keeps its calls before it exits anyway.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type MediaNodeConfig = Static<typeof MediaNodeConfig>;
