/**
 * Objects that admission must reject, with the field path and message it must report. The same
 * table runs through the TypeScript validator (unit test) and a real API server (integration).
 */
import { API_VERSION, SIP_TRUNK_KIND, VOICE_AGENT_KIND } from '../constants.js';

type Obj = Record<string, unknown>;

export interface RejectionCase {
  readonly name: string;
  readonly kind: 'VoiceAgent' | 'SipTrunk';
  readonly object: Obj;
  readonly path: string;
  /** A part of the message both admission and the validator must contain. */
  readonly message: string;
}

export function validAgent(name = 'valid-agent'): Obj {
  return {
    apiVersion: API_VERSION,
    kind: VOICE_AGENT_KIND,
    metadata: { name },
    spec: {
      numbers: ['+14155550100'],
      regions: [{ name: 'us-east-1', minReplicas: 1, maxReplicas: 3 }],
      pipeline: {
        llm: {
          provider: 'scripted',
          script: {
            fallback: 'Sorry?',
            intents: [
              { name: 'book', examples: ['book'], reply: 'Which day?' },
              { name: 'book-day', after: 'book', examples: ['{day}'], reply: 'Booked.' },
            ],
          },
        },
      },
    },
  };
}

export function validTrunk(name = 'valid-trunk'): Obj {
  return {
    apiVersion: API_VERSION,
    kind: SIP_TRUNK_KIND,
    metadata: { name },
    spec: {
      gateways: [{ name: 'primary', host: '127.0.0.1', port: 5091 }],
      inbound: { sourceCidrs: ['127.0.0.0/8'] },
    },
  };
}

function agent(name: string, mutate: (spec: Obj) => void): Obj {
  const a = validAgent(name);
  mutate(a.spec as Obj);
  return a;
}

function trunk(name: string, mutate: (spec: Obj) => void): Obj {
  const t = validTrunk(name);
  mutate(t.spec as Obj);
  return t;
}

const llm = (spec: Obj) => (spec.pipeline as Obj).llm as Obj;
const gateway0 = (spec: Obj) => (spec.gateways as Obj[])[0]!;

/** Webhook URLs admission accepts: https anywhere, plain http to loopback or in the cluster. */
export const ACCEPTED_WEBHOOK_URLS = [
  'https://hooks.example.com/voice?agent=front-desk',
  'http://127.0.0.1:8080/events',
  'http://localhost/events',
  'http://call-events.apps.svc:8080/hook',
  'http://call-events.apps.svc.cluster.local/hook',
] as const;

/** A valid agent whose one webhook posts to `url`. */
export function agentWithWebhook(name: string, url: string): Obj {
  return agent(name, (s) => {
    s.events = { webhooks: [{ url, secretRef: { name: 'hooks', key: 'key' } }] };
  });
}

export const REJECTION_CASES: readonly RejectionCase[] = [
  {
    name: 'an agent name too long for the label of its media pods',
    kind: 'VoiceAgent',
    object: validAgent(`front-desk-${'x'.repeat(53)}`),
    path: 'metadata.name',
    message: 'metadata.name must be at most 63 characters',
  },
  {
    name: 'an agent name that cannot name a Service',
    kind: 'VoiceAgent',
    object: validAgent('1st-line'),
    path: 'metadata.name',
    message: 'start with a letter',
  },
  {
    name: 'minReplicas above maxReplicas',
    kind: 'VoiceAgent',
    object: agent(
      'min-above-max',
      (s) => (s.regions = [{ name: 'us-east-1', minReplicas: 5, maxReplicas: 2 }]),
    ),
    path: 'spec.regions[0].minReplicas',
    message: 'minReplicas must be less than or equal to maxReplicas',
  },
  {
    name: 'a number not in E.164',
    kind: 'VoiceAgent',
    object: agent('bad-e164', (s) => (s.numbers = ['4155550100'])),
    path: 'spec.numbers[0]',
    message: "should match '^\\+[1-9][0-9]{1,14}$'",
  },
  {
    name: 'the same number twice',
    kind: 'VoiceAgent',
    object: agent('dup-number', (s) => (s.numbers = ['+14155550100', '+14155550100'])),
    path: 'spec.numbers[1]',
    message: 'Duplicate value: "+14155550100"',
  },
  {
    name: 'an unknown codec',
    kind: 'VoiceAgent',
    object: agent('bad-codec', (s) => (s.codecs = ['PCMU', 'G729'])),
    path: 'spec.codecs[1]',
    message: 'Unsupported value: "G729"',
  },
  {
    name: 'G.722, which the media node does not speak yet',
    kind: 'VoiceAgent',
    object: agent('g722-codec', (s) => (s.codecs = ['G722', 'PCMU'])),
    path: 'spec.codecs[0]',
    message: 'Unsupported value: "G722": supported values: "PCMU", "PCMA"',
  },
  {
    name: 'Opus, which the media node does not speak yet',
    kind: 'VoiceAgent',
    object: agent('opus-codec', (s) => (s.codecs = ['PCMA', 'opus'])),
    path: 'spec.codecs[1]',
    message: 'Unsupported value: "opus": supported values: "PCMU", "PCMA"',
  },
  {
    name: 'no regions',
    kind: 'VoiceAgent',
    object: agent('no-regions', (s) => (s.regions = [])),
    path: 'spec.regions',
    message: 'should have at least 1 items',
  },
  {
    name: 'the same region twice',
    kind: 'VoiceAgent',
    object: agent(
      'dup-region',
      (s) => (s.regions = [{ name: 'us-east-1' }, { name: 'us-east-1' }]),
    ),
    path: 'spec.regions[1]',
    message: 'Duplicate value',
  },
  {
    name: 'a negative call buffer',
    kind: 'VoiceAgent',
    object: agent('negative-buffer', (s) => (s.capacity = { bufferCalls: -1 })),
    path: 'spec.capacity.bufferCalls',
    message: 'should be greater than or equal to 0',
  },
  {
    name: 'zero calls per pod',
    kind: 'VoiceAgent',
    object: agent('zero-calls-per-pod', (s) => (s.capacity = { callsPerPod: 0 })),
    path: 'spec.capacity.callsPerPod',
    message: 'should be greater than or equal to 1',
  },
  {
    name: 'a scripted llm without a script',
    kind: 'VoiceAgent',
    object: agent('no-script', (s) => delete llm(s).script),
    path: 'spec.pipeline.llm.script',
    message: 'script is required when provider is scripted',
  },
  {
    name: 'an openai llm without an endpoint',
    kind: 'VoiceAgent',
    object: agent(
      'no-llm-endpoint',
      (s) => ((s.pipeline as Obj).llm = { provider: 'openai', model: 'm' }),
    ),
    path: 'spec.pipeline.llm.endpoint',
    message: 'endpoint is required when provider is openai or grpc',
  },
  {
    name: 'an openai llm whose endpoint is not a URL',
    kind: 'VoiceAgent',
    object: agent(
      'llm-endpoint-not-url',
      (s) =>
        ((s.pipeline as Obj).llm = {
          provider: 'openai',
          endpoint: 'llm.internal:8000',
          model: 'm',
        }),
    ),
    path: 'spec.pipeline.llm.endpoint',
    message: 'endpoint must be an http or https URL when provider is openai',
  },
  {
    name: 'a grpc stt without an endpoint',
    kind: 'VoiceAgent',
    object: agent('no-stt-endpoint', (s) => ((s.pipeline as Obj).stt = { provider: 'grpc' })),
    path: 'spec.pipeline.stt.endpoint',
    message: 'endpoint is required when provider is grpc',
  },
  {
    name: 'a barge-in shorter than the speech onset',
    kind: 'VoiceAgent',
    object: agent('barge-in-too-short', (s) => ((s.pipeline as Obj).bargeIn = { minSpeechMs: 20 })),
    path: 'spec.pipeline.bargeIn.minSpeechMs',
    message: 'should be greater than or equal to 60',
  },
  {
    name: 'a barge-in that waits longer than 2 s of speech',
    kind: 'VoiceAgent',
    object: agent(
      'barge-in-too-long',
      (s) => ((s.pipeline as Obj).bargeIn = { minSpeechMs: 5000 }),
    ),
    path: 'spec.pipeline.bargeIn.minSpeechMs',
    message: 'should be less than or equal to 2000',
  },
  {
    name: 'a greeting policy that is not a boolean',
    kind: 'VoiceAgent',
    object: agent(
      'greeting-policy-string',
      (s) => ((s.pipeline as Obj).bargeIn = { greetingInterruptible: 'never' }),
    ),
    path: 'spec.pipeline.bargeIn.greetingInterruptible',
    message: 'must be of type boolean',
  },
  {
    name: 'a memory limit below the memory request',
    kind: 'VoiceAgent',
    object: agent(
      'memory-limit-low',
      (s) => (s.resources = { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } }),
    ),
    path: 'spec.resources.limits.memory',
    message: 'limits.memory must be at least requests.memory',
  },
  {
    name: 'a CPU limit below the CPU request, in other units',
    kind: 'VoiceAgent',
    object: agent(
      'cpu-limit-low',
      (s) => (s.resources = { requests: { cpu: '1.5' }, limits: { cpu: '1200m' } }),
    ),
    path: 'spec.resources.limits.cpu',
    message: 'limits.cpu must be at least requests.cpu',
  },
  {
    name: 'a memory request that is not a quantity',
    kind: 'VoiceAgent',
    object: agent('memory-words', (s) => (s.resources = { requests: { memory: '2 GB' } })),
    path: 'spec.resources.requests.memory',
    message: 'should match',
  },
  {
    name: 'an intent after an intent that does not exist',
    kind: 'VoiceAgent',
    object: agent('bad-after', (s) => {
      const intents = (llm(s).script as Obj).intents as Obj[];
      intents[1]!.after = 'booking';
    }),
    path: 'spec.pipeline.llm.script.intents',
    message: 'every intent "after" must name an intent of this script',
  },
  {
    name: 'a webhook over plain http to a host outside the cluster',
    kind: 'VoiceAgent',
    object: agent(
      'webhook-plain-http',
      (s) =>
        (s.events = {
          webhooks: [
            { url: 'http://hooks.example.com/calls', secretRef: { name: 'hooks', key: 'key' } },
          ],
        }),
    ),
    path: 'spec.events.webhooks[0].url',
    message: 'url must be https, or plain http only to loopback',
  },
  {
    name: 'a webhook without a signing key',
    kind: 'VoiceAgent',
    object: agent(
      'webhook-no-secret',
      (s) => (s.events = { webhooks: [{ url: 'https://hooks.example.com/calls' }] }),
    ),
    path: 'spec.events.webhooks[0].secretRef',
    message: 'Required value',
  },
  {
    name: 'a webhook with an unknown event type',
    kind: 'VoiceAgent',
    object: agent(
      'webhook-bad-event',
      (s) =>
        (s.events = {
          webhooks: [
            {
              url: 'https://hooks.example.com/calls',
              secretRef: { name: 'hooks', key: 'key' },
              events: ['call.ringing'],
            },
          ],
        }),
    ),
    path: 'spec.events.webhooks[0].events[0]',
    message: 'Unsupported value: "call.ringing"',
  },
  {
    name: 'a bridged transfer (method invite), not implemented',
    kind: 'VoiceAgent',
    object: agent(
      'transfer-invite',
      (s) => (s.transfer = { target: '+14155550199', method: 'invite' }),
    ),
    path: 'spec.transfer.method',
    message: 'method invite (a bridged transfer) is not implemented yet',
  },
  {
    name: 'a gateway host that is not a hostname or IP',
    kind: 'SipTrunk',
    object: trunk('bad-host', (s) => (gateway0(s).host = 'sip..carrier.example')),
    path: 'spec.gateways[0].host',
    message: 'host must be a lowercase DNS name or an IP literal',
  },
  {
    name: 'a gateway host with a port in it',
    kind: 'SipTrunk',
    object: trunk('host-with-port', (s) => (gateway0(s).host = '127.0.0.1:5060')),
    path: 'spec.gateways[0].host',
    message: 'without scheme or port',
  },
  {
    name: 'a gateway port out of range',
    kind: 'SipTrunk',
    object: trunk('bad-port', (s) => (gateway0(s).port = 70000)),
    path: 'spec.gateways[0].port',
    message: 'should be less than or equal to 65535',
  },
  {
    name: 'an unknown transport',
    kind: 'SipTrunk',
    object: trunk('bad-transport', (s) => (gateway0(s).transport = 'sctp')),
    path: 'spec.gateways[0].transport',
    message: 'Unsupported value: "sctp"',
  },
  {
    name: 'a TLS gateway, which the edge does not support yet',
    kind: 'SipTrunk',
    object: trunk('tls-transport', (s) => (gateway0(s).transport = 'tls')),
    path: 'spec.gateways[0].transport',
    message: 'Unsupported value: "tls": supported values: "udp", "tcp"',
  },
  {
    name: 'an outbound From domain, which the edge does not set yet',
    kind: 'SipTrunk',
    object: trunk('from-domain', (s) => (s.outbound = { fromDomain: 'voice.example.com' })),
    path: 'spec.outbound.fromDomain',
    message: 'fromDomain is not supported yet',
  },
  {
    name: 'no gateways',
    kind: 'SipTrunk',
    object: trunk('no-gateways', (s) => (s.gateways = [])),
    path: 'spec.gateways',
    message: 'should have at least 1 items',
  },
  {
    name: 'a trunk without the gateways field',
    kind: 'SipTrunk',
    object: trunk('missing-gateways', (s) => delete s.gateways),
    path: 'spec.gateways',
    message: 'Required value',
  },
  {
    name: 'a region without a name',
    kind: 'VoiceAgent',
    object: agent('nameless-region', (s) => (s.regions = [{ minReplicas: 1 }])),
    path: 'spec.regions[0].name',
    message: 'Required value',
  },
  {
    name: 'a string where an integer belongs',
    kind: 'VoiceAgent',
    object: agent(
      'string-replicas',
      (s) => (s.regions = [{ name: 'us-east-1', maxReplicas: 'ten' }]),
    ),
    path: 'spec.regions[0].maxReplicas',
    message: 'must be of type integer',
  },
  {
    name: '486 among the failover codes',
    kind: 'SipTrunk',
    object: trunk('fail-on-busy', (s) => (s.failover = { responseCodes: [408, 486, 503] })),
    path: 'spec.failover.responseCodes',
    message: 'responseCodes must not contain 486 (Busy Here) or 603 (Decline)',
  },
  {
    name: 'a source network that is not a CIDR',
    kind: 'SipTrunk',
    object: trunk('bad-cidr', (s) => (s.inbound = { sourceCidrs: ['10.0.0.0/33'] })),
    path: 'spec.inbound.sourceCidrs[0]',
    message: 'must be a CIDR',
  },
  {
    name: 'an SLO objective of 0.5 (the range is open)',
    kind: 'VoiceAgent',
    object: agent('slo-objective-low', (s) => (s.slo = { turnLatencyObjective: 0.5 })),
    path: 'spec.slo.turnLatencyObjective',
    message: 'an objective must be greater than 0.5 and less than 0.99999',
  },
  {
    name: 'an SLO objective of 100%',
    kind: 'VoiceAgent',
    object: agent('slo-objective-high', (s) => (s.slo = { answerSuccessObjective: 1 })),
    path: 'spec.slo.answerSuccessObjective',
    message: 'Invalid value: 1: an objective must be greater than 0.5 and less than 0.99999',
  },
  {
    name: 'a latency threshold between two histogram buckets',
    kind: 'VoiceAgent',
    object: agent('slo-threshold-off-bucket', (s) => (s.slo = { turnLatencyMs: 800 })),
    path: 'spec.slo.turnLatencyMs',
    message:
      'Unsupported value: 800: supported values: "5", "10", "25", "50", "100", "150", "200", "250", "300", "400", "500", "600", "750", "1000", "1250", "1500", "2000", "2500", "3000", "5000", "10000"',
  },
  {
    name: 'an SLO window whose shortest alert window is under two scrapes',
    kind: 'VoiceAgent',
    object: agent('slo-window-short', (s) => {
      s.slo = { windowDays: 2 };
      s.monitoring = { scrapeIntervalSeconds: 15 };
    }),
    path: 'spec.slo.windowDays',
    message: 'must be at least twice monitoring.scrapeIntervalSeconds',
  },
];
