/**
 * `spec.events` of a VoiceAgent: webhooks that receive the agent's call events, signed with
 * HMAC-SHA256 under a key read from a Secret (by reference only: the key never appears in the
 * agent, the media-node config or a log).
 */
import { Type, type Static } from '@sinclair/typebox';
import { cel } from './cel.js';
import { SecretKeySelector, StringEnum } from './common.js';

export const WEBHOOK_EVENT_TYPES = [
  'call.started',
  'call.answered',
  'turn',
  'call.transferred',
  'call.ended',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * https anywhere; plain http only to loopback (localhost, 127.0.0.0/8) or to a Service inside the
 * cluster (`<name>.<namespace>.svc` or `...svc.cluster.local`), where the request never crosses a
 * network the cluster does not own.
 */
const PLAIN_HTTP_ALLOWED =
  '^http://(localhost|127[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}|([a-z0-9]([-a-z0-9]*[a-z0-9])?[.])+svc([.]cluster[.]local)?)(:[0-9]{1,5})?(/[^ ]*)?$';
const PLAIN_HTTP_RE = new RegExp(PLAIN_HTTP_ALLOWED);

export const WEBHOOK_URL_RULE = cel(
  `self.url.startsWith('https://') || self.url.matches('${PLAIN_HTTP_ALLOWED}')`,
  'url must be https, or plain http only to loopback (localhost, 127.0.0.0/8) or to a ' +
    'cluster-local Service (<name>.<namespace>.svc or <name>.<namespace>.svc.cluster.local)',
  (self: { url: string }) => self.url.startsWith('https://') || PLAIN_HTTP_RE.test(self.url),
  '.url',
);

export const WEBHOOK_URL_PATTERN = '^https?://[^\\s]+$';

export const Webhook = Type.Object(
  {
    url: Type.String({
      maxLength: 2048,
      pattern: WEBHOOK_URL_PATTERN,
      description:
        'Where events are POSTed: https, or plain http only to loopback or a cluster-local Service (name.namespace.svc).',
    }),
    secretRef: SecretKeySelector(
      'Secret key holding the HMAC-SHA256 signing key: each delivery carries X-Voicefleet-Signature: sha256=<hex of HMAC(key, timestamp + "." + body)>.',
    ),
    events: Type.Array(StringEnum(WEBHOOK_EVENT_TYPES, { description: 'A call event type.' }), {
      minItems: 1,
      maxItems: WEBHOOK_EVENT_TYPES.length,
      default: [...WEBHOOK_EVENT_TYPES],
      'x-kubernetes-list-type': 'set',
      description:
        'Event types sent to this URL: call.started, call.answered, turn, call.transferred (the outcome of a transfer: completed, rejected, failed or timeout, with the SIP status that decided it), call.ended (default: all).',
    }),
  },
  {
    additionalProperties: false,
    description: 'A receiver of call events.',
    'x-kubernetes-validations': [WEBHOOK_URL_RULE],
  },
);
export type Webhook = Static<typeof Webhook>;

export const Events = Type.Object(
  {
    webhooks: Type.Array(Webhook, {
      minItems: 1,
      maxItems: 8,
      description:
        'Receivers of call events. Each media pod delivers at least once per delivery id (X-Voicefleet-Delivery), retried with exponential backoff from a bounded in-memory queue.',
    }),
    queueSize: Type.Integer({
      minimum: 1,
      maximum: 100000,
      default: 1000,
      description:
        'Deliveries a media pod holds per webhook while its receiver is slow or down; beyond it new events are dropped, counted (voicefleet_webhook_dropped_total) and logged.',
    }),
  },
  {
    additionalProperties: false,
    description: 'Call events sent to your application.',
  },
);
export type Events = Static<typeof Events>;
