/** The SipTrunk custom resource: a carrier connection with its gateways. */
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, SIP_TRUNK_KIND } from '../constants.js';
import { cel } from './cel.js';
import { DNS_LABEL_PATTERN, ObjectMeta, SecretReference, StringEnum } from './common.js';
import { HOSTNAME_RE, isCidr, isHostOrIp } from './net.js';
import { SipTrunkStatus } from './sip-trunk-status.js';

/** `tls` is not among them yet: the edge has no TLS listener. */
export const TRANSPORTS = ['udp', 'tcp'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const DEFAULT_FAILOVER_CODES = [408, 500, 502, 503, 504];

export const Gateway = Type.Object(
  {
    name: Type.String({
      pattern: DNS_LABEL_PATTERN,
      maxLength: 63,
      description: 'Name of the gateway, unique inside the trunk (a DNS label, e.g. primary).',
    }),
    host: Type.String({
      minLength: 1,
      maxLength: 253,
      description: 'DNS name or IP literal of the carrier gateway, without port or scheme.',
      'x-kubernetes-validations': [
        cel(
          `self.matches('${HOSTNAME_RE}') || isIP(self)`,
          'host must be a lowercase DNS name or an IP literal, without scheme or port (e.g. sip.carrier.example or 192.0.2.10)',
          (self: string) => isHostOrIp(self),
        ),
      ],
    }),
    port: Type.Integer({
      minimum: 1,
      maximum: 65535,
      default: 5060,
      description: 'SIP port of the gateway.',
    }),
    transport: StringEnum(TRANSPORTS, {
      default: 'udp',
      description: 'SIP transport towards the gateway: udp or tcp. TLS is not supported yet.',
    }),
    priority: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 1,
      description: 'Lower priorities are tried first; the next priority takes over on failover.',
    }),
    weight: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 100,
      description: 'Share of outbound calls among gateways of equal priority.',
    }),
  },
  { additionalProperties: false, description: 'One carrier SIP gateway.' },
);
export type Gateway = Static<typeof Gateway>;

export const SipTrunkSpec = Type.Object(
  {
    gateways: Type.Array(Gateway, {
      minItems: 1,
      maxItems: 16,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      description:
        'Carrier gateways of this trunk (at least one). Outbound calls go to the lowest priority ' +
        'that is up and fail over to the next.',
    }),
    inbound: Type.Optional(
      Type.Object(
        {
          sourceCidrs: Type.Array(
            Type.String({
              maxLength: 64,
              description: 'An IPv4 or IPv6 CIDR, e.g. 203.0.113.0/24.',
              'x-kubernetes-validations': [
                cel(
                  'isCIDR(self)',
                  'must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32',
                  (self: string) => isCidr(self),
                ),
              ],
            }),
            {
              maxItems: 64,
              'x-kubernetes-list-type': 'set',
              description: 'Source networks allowed to send calls over this trunk (the edge ACL).',
            },
          ),
        },
        { additionalProperties: false, description: 'Who may send calls to us over this trunk.' },
      ),
    ),
    outbound: Type.Optional(
      Type.Object(
        {
          credentialsSecretRef: Type.Optional(
            SecretReference(
              'Secret with keys username and password (realm optional) used to authenticate ' +
                'outbound calls to the carrier.',
            ),
          ),
          fromDomain: Type.Optional(
            Type.String({
              maxLength: 253,
              description:
                'Not supported yet, and refused at admission: outbound calls keep the From ' +
                'domain the media node sends.',
            }),
          ),
        },
        {
          additionalProperties: false,
          description: 'How outbound calls reach the carrier.',
          'x-kubernetes-validations': [
            cel(
              '!has(self.fromDomain)',
              'fromDomain is not supported yet: outbound calls keep the From domain the media node sends',
              (self: { fromDomain?: string }) => self.fromDomain === undefined,
              '.fromDomain',
            ),
          ],
        },
      ),
    ),
    failover: Type.Object(
      {
        responseCodes: Type.Array(Type.Integer({ minimum: 300, maximum: 699 }), {
          maxItems: 32,
          default: DEFAULT_FAILOVER_CODES,
          'x-kubernetes-list-type': 'set',
          description:
            'SIP final responses that make the edge retry the call on the next gateway. ' +
            'Never 486 (busy) or 603 (decline): the callee must not ring twice.',
          'x-kubernetes-validations': [
            cel(
              '!self.exists(c, c == 486 || c == 603)',
              'responseCodes must not contain 486 (Busy Here) or 603 (Decline): retrying them would ring the callee twice',
              (self: number[]) => !self.some((c) => c === 486 || c === 603),
            ),
          ],
        }),
        timeoutMs: Type.Integer({
          minimum: 100,
          maximum: 60000,
          default: 2000,
          description:
            'Milliseconds an INVITE may wait for a provisional answer before the next gateway is tried.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'When and how calls fail over between gateways.',
      },
    ),
    healthCheck: Type.Object(
      {
        intervalSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 1,
          description:
            'Seconds between SIP OPTIONS probes of each gateway (each edge sends them on a ' +
            'one-second tick; a probe unanswered within 500 ms has failed).',
        }),
        failureThreshold: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 1,
          description:
            'Failed probes in a row before a gateway is marked Down (no new calls). An outbound ' +
            'INVITE that gets no provisional answer within failover.timeoutMs marks it Down at once.',
        }),
        successThreshold: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 1,
          description: 'Answered (2xx) probes in a row before a Down gateway is marked Up again.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'SIP OPTIONS probing of the gateways by every edge.',
      },
    ),
  },
  { additionalProperties: false, description: 'Desired state of the carrier connection.' },
);
export type SipTrunkSpec = Static<typeof SipTrunkSpec>;

export const SipTrunk = Type.Object({
  apiVersion: Type.Literal(API_VERSION),
  kind: Type.Literal(SIP_TRUNK_KIND),
  metadata: ObjectMeta,
  spec: SipTrunkSpec,
  status: Type.Optional(SipTrunkStatus),
});
export type SipTrunk = Static<typeof SipTrunk>;
