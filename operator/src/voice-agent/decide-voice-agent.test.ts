import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { CONFIG_HASH_ANNOTATION, validateVoiceAgent } from '@voicefleet/api';
import {
  decideFailure,
  decideRejectedChild,
  decideVoiceAgent,
  type VoiceAgentInput,
} from './decide-voice-agent.js';
import { deployment, mediaPods, voiceAgent } from './fixtures.test-support.js';
import { mediaPodResources } from './pod-resources.js';

const now = new Date('2026-02-01T00:00:00Z');
const options = {
  image: 'voicefleet/media-node:test',
  multiRegionCluster: false,
  edgeUri: 'sip:127.0.0.1:5060',
};

function input(patch: Partial<VoiceAgentInput> & Pick<VoiceAgentInput, 'agent'>): VoiceAgentInput {
  return {
    specErrors: [],
    references: { trunks: new Map(), secrets: new Map() },
    ownedRegions: ['us-east-1'],
    lostNumbers: [],
    deployments: new Map(),
    pods: new Map(),
    statusWrittenAt: undefined,
    options,
    now,
    ...patch,
  };
}

const decide = (patch: Partial<VoiceAgentInput> & Pick<VoiceAgentInput, 'agent'>) =>
  decideVoiceAgent(input(patch));

function condition(d: ReturnType<typeof decide>, type: string) {
  return d.status.conditions.find((c) => c.type === type);
}

describe('decideVoiceAgent', () => {
  it('creates a ConfigMap, Service, PDB and Deployment per owned region, owned by the agent', () => {
    const d = decide({ agent: voiceAgent('front-desk') });
    assert.deepEqual(
      d.children.map((c) => `${c.kind}/${c.metadata?.name}`),
      [
        'ConfigMap/front-desk-us-east-1',
        'Service/front-desk-us-east-1',
        'PodDisruptionBudget/front-desk-us-east-1',
        'Deployment/front-desk-us-east-1',
      ],
    );
    for (const c of d.children) {
      assert.deepEqual(c.metadata?.ownerReferences, [
        {
          apiVersion: 'voicefleet.io/v1alpha1',
          kind: 'VoiceAgent',
          name: 'front-desk',
          uid: 'uid-front-desk',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.equal(c.metadata?.labels?.['app.kubernetes.io/managed-by'], 'voicefleet');
    }
  });

  it('ignores regions it does not own but lists them in status', () => {
    const d = decide({ agent: voiceAgent('a', { regions: ['us-east-1', 'eu-west-1'] }) });
    assert.equal(d.children.length, 4);
    assert.deepEqual(
      d.status.regions.map((r) => r.name),
      ['us-east-1'],
    );
    assert.match(
      d.status.conditions.find((c) => c.type === 'Ready')?.message ?? '',
      /not run by this operator: eu-west-1/,
    );
    assert.equal(d.status.regionsSummary, 'us-east-1');
  });

  it('reports NoOwnedRegion when none of the regions is owned', () => {
    const d = decide({ agent: voiceAgent('a', { regions: ['ap-south-1'] }) });
    assert.equal(d.children.length, 0);
    assert.equal(condition(d, 'Ready')?.reason, 'NoOwnedRegion');
  });

  it('keeps provider secrets out of the config and references them from the Deployment', () => {
    const agent = voiceAgent('a', {
      pipeline: {
        llm: {
          provider: 'openai',
          endpoint: 'http://127.0.0.1:1/v1',
          apiKeySecretRef: { name: 'llm', key: 'apiKey' },
        },
      },
    });
    const d = decide({ agent });
    const cm = d.children.find((c) => c.kind === 'ConfigMap') as V1ConfigMap;
    const config = parse(cm.data?.['config.yaml'] ?? '') as {
      pipeline: { llm: Record<string, unknown> };
    };
    assert.equal(config.pipeline.llm['apiKeySecretRef'], undefined);
    assert.equal(config.pipeline.llm['apiKeyEnv'], 'VOICEFLEET_LLM_API_KEY');
    const dep = d.children.find((c) => c.kind === 'Deployment') as V1Deployment;
    const env = dep.spec?.template.spec?.containers[0]?.env?.find(
      (e) => e.name === 'VOICEFLEET_LLM_API_KEY',
    );
    assert.deepEqual(env?.valueFrom?.secretKeyRef, { name: 'llm', key: 'apiKey' });
  });

  it('sizes the media container from callsPerPod, spreads the pods, and hands them the trace collector given', () => {
    const agent = voiceAgent('a');
    agent.spec.capacity.callsPerPod = 100;
    const plain = decide({ agent });
    const pod = (d: ReturnType<typeof decide>) =>
      (d.children.find((c) => c.kind === 'Deployment') as V1Deployment).spec?.template.spec;
    const container = pod(plain)?.containers[0];
    assert.deepEqual(container?.resources, mediaPodResources(100, undefined));
    assert.equal(
      container?.env?.some((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT'),
      false,
    );
    assert.deepEqual(
      pod(plain)?.topologySpreadConstraints?.map((t) => [t.topologyKey, t.whenUnsatisfiable]),
      [
        ['kubernetes.io/hostname', 'ScheduleAnyway'],
        ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
      ],
    );
    const traced = decide({
      agent: voiceAgent('a'),
      options: { ...options, otlpEndpoint: 'http://otel-collector.monitoring:4317' },
    });
    assert.deepEqual(
      pod(traced)?.containers[0]?.env?.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT'),
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.monitoring:4317' },
    );
  });

  it('renders webhooks with their signing key referenced from the Deployment, never in the config', () => {
    const agent = voiceAgent('a', {
      events: {
        webhooks: [
          {
            url: 'https://hooks.example.com/calls',
            secretRef: { name: 'hook-secret', key: 'signingKey' },
            events: ['call.started', 'call.ended'],
          },
        ],
        queueSize: 500,
      },
    });
    const d = decide({ agent });
    const cm = d.children.find((c) => c.kind === 'ConfigMap') as V1ConfigMap;
    const text = cm.data?.['config.yaml'] ?? '';
    assert.deepEqual((parse(text) as { events: unknown }).events, {
      queueSize: 500,
      webhooks: [
        {
          url: 'https://hooks.example.com/calls',
          secretEnv: 'VOICEFLEET_WEBHOOK_0_KEY',
          events: ['call.started', 'call.ended'],
        },
      ],
    });
    assert.doesNotMatch(text, /hook-secret|signingKey/);
    const dep = d.children.find((c) => c.kind === 'Deployment') as V1Deployment;
    const env = dep.spec?.template.spec?.containers[0]?.env?.find(
      (e) => e.name === 'VOICEFLEET_WEBHOOK_0_KEY',
    );
    assert.deepEqual(env?.valueFrom?.secretKeyRef, { name: 'hook-secret', key: 'signingKey' });
  });

  it('rolls pods when the config changes (config hash on the pod template)', () => {
    const hash = (greeting: string) => {
      const d = decide({ agent: voiceAgent('a', { pipeline: { greeting } }) });
      const dep = d.children.find((c) => c.kind === 'Deployment') as V1Deployment;
      return dep.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
    };
    assert.notEqual(hash('Hello'), hash('Hi'));
    assert.equal(hash('Hello'), hash('Hello'));
  });

  const monitoring = {
    labels: { release: 'prom' },
    runbookBaseUrl: 'https://runbooks.example',
    missingCrds: [],
  };

  it('adds one PrometheusRule and one PodMonitor per agent, owned by it, when monitoring is managed', () => {
    const d = decide({
      agent: voiceAgent('front-desk', { regions: ['us-east-1', 'eu-west-1'] }),
      ownedRegions: ['us-east-1', 'eu-west-1'],
      options: { ...options, monitoring },
    });
    const kinds = d.children.map((c) => `${c.kind}/${c.metadata?.name}`);
    assert.deepEqual(
      kinds.filter((k) => k.startsWith('Pod') || k.startsWith('Prometheus')),
      [
        'PodDisruptionBudget/front-desk-us-east-1',
        'PodDisruptionBudget/front-desk-eu-west-1',
        'PrometheusRule/front-desk-slo',
        'PodMonitor/front-desk-media-node',
      ],
    );
    for (const c of d.children.filter(
      (c) => c.kind === 'PodMonitor' || c.kind === 'PrometheusRule',
    )) {
      assert.equal(c.metadata?.ownerReferences?.[0]?.uid, 'uid-front-desk');
      assert.equal(c.metadata?.labels?.['app.kubernetes.io/managed-by'], 'voicefleet');
      assert.equal(c.metadata?.labels?.release, 'prom');
    }
    assert.equal(condition(d, 'Monitoring')?.status, 'True');
    assert.equal(condition(d, 'Monitoring')?.reason, 'RulesApplied');
    const unmanaged = decide({ agent: voiceAgent('a') });
    assert.ok(!unmanaged.children.some((c) => c.kind === 'PrometheusRule'));
    assert.equal(condition(unmanaged, 'Monitoring'), undefined);
  });

  it('gives the pod a metrics port of its own, the one its config listens on and its PodMonitor scrapes', () => {
    const d = decide({ agent: voiceAgent('front-desk'), options: { ...options, monitoring } });
    const dep = d.children.find((c) => c.kind === 'Deployment') as V1Deployment;
    const cm = d.children.find((c) => c.kind === 'ConfigMap') as V1ConfigMap;
    const config = parse(cm.data?.['config.yaml'] ?? '') as {
      http: { port: number };
      metrics: { host: string; port: number };
    };
    assert.deepEqual(config.metrics, { host: '0.0.0.0', port: 9464 });
    const container = dep.spec?.template.spec?.containers[0];
    assert.deepEqual(
      container?.ports?.map((p) => [p.name, p.containerPort, p.protocol]),
      [
        ['sip', 5060, 'UDP'],
        ['sip-tcp', 5060, 'TCP'],
        ['http', config.http.port, 'TCP'],
        ['metrics', config.metrics.port, 'TCP'],
      ],
    );
    // the probes stay on the control port: the metrics port answers GET /metrics alone
    assert.equal(container?.readinessProbe?.httpGet?.port, 'http');
    const monitor = d.children.find((c) => c.kind === 'PodMonitor') as unknown as {
      spec: { podMetricsEndpoints: { port: string; path: string }[] };
    };
    assert.deepEqual(
      monitor.spec.podMetricsEndpoints.map((e) => [e.port, e.path]),
      [['metrics', '/metrics']],
    );
  });

  it('writes no monitoring and says which CRDs to install when they are missing, still Ready', () => {
    const missingCrds = [
      'podmonitors.monitoring.coreos.com',
      'prometheusrules.monitoring.coreos.com',
    ];
    const d = decide({
      agent: voiceAgent('front-desk'),
      deployments: new Map([['us-east-1', deployment(1)]]),
      options: { ...options, monitoring: { ...monitoring, missingCrds } },
    });
    assert.deepEqual(
      d.children.map((c) => c.kind),
      ['ConfigMap', 'Service', 'PodDisruptionBudget', 'Deployment'],
    );
    const m = condition(d, 'Monitoring');
    assert.equal(m?.status, 'False');
    assert.equal(m?.reason, 'MonitoringCRDsMissing');
    assert.match(m?.message ?? '', /podmonitors\.monitoring\.coreos\.com, prometheusrules/);
    assert.match(m?.message ?? '', /voicefleet render monitoring/);
    assert.equal(condition(d, 'Ready')?.status, 'True');
  });

  it('drops the Monitoring condition once monitoring is no longer managed', () => {
    const managed = decide({ agent: voiceAgent('a'), options: { ...options, monitoring } });
    const agent = voiceAgent('a');
    const after = decide({ agent: { ...agent, status: managed.status } });
    assert.equal(condition(after, 'Monitoring'), undefined);
    assert.equal(after.statusChanged, true);
  });

  it('writes no monitoring for an agent with no owned region or an invalid spec', () => {
    const elsewhere = decide({
      agent: voiceAgent('a'),
      ownedRegions: ['ap-south-1'],
      options: { ...options, monitoring },
    });
    assert.deepEqual(elsewhere.children, []);
    assert.equal(condition(elsewhere, 'Monitoring'), undefined);
    const invalid = decide({
      agent: voiceAgent('a'),
      specErrors: [{ path: 'spec.slo.turnLatencyMs', message: 'Unsupported value: 800' }],
      options: { ...options, monitoring },
    });
    assert.deepEqual(invalid.children, []);
  });

  it('sets the grace period from drainTimeoutSeconds and region affinity in a multi-region cluster', () => {
    const d = decide({ agent: voiceAgent('a'), options: { ...options, multiRegionCluster: true } });
    const spec = (d.children.find((c) => c.kind === 'Deployment') as V1Deployment).spec?.template
      .spec;
    assert.ok((spec?.terminationGracePeriodSeconds ?? 0) >= 600);
    const term =
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        ?.nodeSelectorTerms[0];
    assert.deepEqual(term?.matchExpressions?.[0], {
      key: 'topology.kubernetes.io/region',
      operator: 'In',
      values: ['us-east-1'],
    });
    const single = decide({ agent: voiceAgent('a') });
    assert.equal(
      (single.children.find((c) => c.kind === 'Deployment') as V1Deployment).spec?.template.spec
        ?.affinity,
      undefined,
    );
  });

  it('is Ready with ready pods, not Ready while they start', () => {
    const starting = decide({
      agent: voiceAgent('a'),
      deployments: new Map([['us-east-1', deployment(0)]]),
    });
    assert.equal(condition(starting, 'Ready')?.reason, 'PodsNotReady');
    assert.equal(condition(starting, 'Progressing')?.status, 'True');
    const ready = decide({
      agent: voiceAgent('a'),
      deployments: new Map([['us-east-1', deployment(1)]]),
      pods: new Map([['us-east-1', mediaPods([3])]]),
    });
    assert.equal(condition(ready, 'Ready')?.status, 'True');
    assert.equal(condition(ready, 'Progressing')?.status, 'False');
    assert.deepEqual(ready.status.regions[0], {
      name: 'us-east-1',
      desiredReplicas: 1,
      readyReplicas: 1,
      activeCalls: 3,
      drainingCalls: 0,
      capacity: 50,
      scaleReason: '3 calls + buffer ask for 1 pod of 50',
    });
    assert.equal(ready.status.activeCalls, 3);
    assert.equal(ready.status.observedGeneration, 1);
    assert.deepEqual(
      ready.events.map((e) => e.reason),
      ['Ready'],
    );
  });

  it('reports a number conflict naming the older agent, in Ready and NumberConflict', () => {
    const d = decide({
      agent: voiceAgent('b'),
      deployments: new Map([['us-east-1', deployment(1)]]),
      lostNumbers: [{ number: '+14155550100', heldBy: 'default/a' }],
    });
    assert.equal(condition(d, 'Ready')?.status, 'False');
    assert.equal(condition(d, 'Ready')?.reason, 'NumberConflict');
    assert.match(condition(d, 'NumberConflict')?.message ?? '', /default\/a/);
    const warning = d.events.find((e) => e.reason === 'NumberConflict');
    assert.ok(warning);
    assert.doesNotMatch(warning.message, /\+1415/, 'events carry no phone numbers');
  });

  it('writes nothing and emits nothing on a second pass over the same state', () => {
    const first = decide({
      agent: voiceAgent('a'),
      deployments: new Map([['us-east-1', deployment(1)]]),
    });
    assert.equal(first.statusChanged, true);
    const applied = voiceAgent('a', { status: JSON.parse(JSON.stringify(first.status)) as never });
    const later = new Date(now.getTime() + 60_000);
    const second = decide({
      agent: applied,
      deployments: new Map([['us-east-1', deployment(1)]]),
      now: later,
    });
    assert.equal(second.statusChanged, false);
    assert.deepEqual(second.events, []);
  });

  it('sizes the Deployment from the calls and stays Ready while it scales up', () => {
    const d = decide({
      agent: voiceAgent('a'),
      deployments: new Map([['us-east-1', deployment(1)]]),
      pods: new Map([['us-east-1', mediaPods([45])]]),
    });
    const dep = d.children.find((c) => c.kind === 'Deployment') as V1Deployment;
    assert.equal(dep.spec?.replicas, 2);
    assert.deepEqual(d.scaled, [{ region: 'us-east-1', from: 1, to: 2 }]);
    assert.equal(condition(d, 'Ready')?.status, 'True', 'one ready pod is what the region needs');
    assert.equal(condition(d, 'Progressing')?.reason, 'Scaling');
    assert.deepEqual(
      d.events.map((e) => e.reason),
      ['ScaledUp', 'Ready'],
    );
  });

  it('leaves replicas out of the Deployment with capacity.scaling external', () => {
    const d = decide({
      agent: voiceAgent('a', {
        capacity: { callsPerPod: 50, bufferCalls: 10, scaling: 'external' } as never,
      }),
      deployments: new Map([['us-east-1', deployment(4)]]),
      pods: new Map([['us-east-1', mediaPods([45, 0, 0, 0])]]),
    });
    const dep = d.children.find((c) => c.kind === 'Deployment') as V1Deployment;
    assert.equal(dep.spec?.replicas, undefined);
    assert.equal(d.status.regions[0]?.desiredReplicas, 4);
    assert.equal(d.status.regions[0]?.limited, 'External');
  });

  it('writes a change of call counts alone at most every few seconds, and requeues for it', () => {
    const pods = (calls: number) => new Map([['us-east-1', mediaPods([calls])]]);
    const deployments = new Map([['us-east-1', deployment(1)]]);
    const first = decide({ agent: voiceAgent('a'), deployments, pods: pods(3) });
    const applied = voiceAgent('a', { status: JSON.parse(JSON.stringify(first.status)) as never });
    const soon = decide({ agent: applied, deployments, pods: pods(4), statusWrittenAt: now });
    assert.equal(soon.statusChanged, false);
    assert.equal(soon.requeueAfterMs, 5000);
    const later = new Date(now.getTime() + 5000);
    const due = decide({
      agent: applied,
      deployments,
      pods: pods(4),
      statusWrittenAt: now,
      now: later,
    });
    assert.equal(due.statusChanged, true);
    assert.equal(due.status.activeCalls, 4);
    // A change of size is written at once, however recent the last write.
    const bigger = decide({ agent: applied, deployments, pods: pods(45), statusWrittenAt: now });
    assert.equal(bigger.statusChanged, true);
  });

  it('updates observedGeneration after a spec change', () => {
    const first = decide({ agent: voiceAgent('a') });
    const changed = voiceAgent('a', {
      generation: 2,
      status: JSON.parse(JSON.stringify(first.status)) as never,
    });
    const d = decide({ agent: changed });
    assert.equal(d.statusChanged, true);
    assert.equal(d.status.observedGeneration, 2);
    assert.ok(d.status.conditions.every((c) => c.observedGeneration === 2));
  });

  it('reports what admission would reject as InvalidSpec and creates no children', () => {
    const agent = voiceAgent('a');
    agent.spec.regions = [{ name: 'us-east-1', minReplicas: 5, maxReplicas: 2 }];
    const d = decide({ agent, specErrors: validateVoiceAgent(agent) });
    assert.deepEqual(d.children, []);
    assert.equal(condition(d, 'Ready')?.reason, 'InvalidSpec');
    assert.match(
      condition(d, 'Ready')?.message ?? '',
      /spec.regions\[0\].minReplicas: .*minReplicas must be less than or equal to maxReplicas/,
    );
    assert.deepEqual(
      d.events.map((e) => [e.type, e.reason]),
      [['Warning', 'InvalidSpec']],
    );
  });

  it('is not Ready while a trunk it names is missing, still runs its pool and says what to create', () => {
    const d = decide({
      agent: voiceAgent('a', { trunks: ['carrier-a'] }),
      references: { trunks: new Map([['carrier-a', false]]), secrets: new Map() },
      deployments: new Map([['us-east-1', deployment(1)]]),
    });
    assert.equal(d.children.length, 4);
    assert.equal(condition(d, 'Ready')?.status, 'False');
    assert.equal(condition(d, 'Ready')?.reason, 'TrunkNotFound');
    assert.match(condition(d, 'Ready')?.message ?? '', /SipTrunk carrier-a .* does not exist/);
    assert.deepEqual(
      d.events.map((e) => e.reason),
      ['TrunkNotFound'],
    );
  });

  it('turns a child the API server refuses into Ready=False naming it, with nothing left to apply', () => {
    const rejecting = input({ agent: voiceAgent('a') });
    const d = decideRejectedChild(rejecting, decideVoiceAgent(rejecting), {
      kind: 'Deployment',
      name: 'a-us-east-1',
      message:
        "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: Invalid value: 'api key'",
    });
    assert.deepEqual(d.children, []);
    assert.equal(condition(d, 'Ready')?.reason, 'ChildRejected');
    assert.match(
      condition(d, 'Ready')?.message ?? '',
      /rejected Deployment a-us-east-1: .*secretKeyRef.key: Invalid value: 'api key'; fix/,
    );
    assert.equal(d.statusChanged, true);
  });

  it('turns a decision that throws into Ready=False with the cause', () => {
    const d = decideFailure(
      input({ agent: voiceAgent('a') }),
      new TypeError("Cannot read properties of undefined (reading 'x')"),
    );
    assert.deepEqual(d.children, []);
    assert.equal(condition(d, 'Ready')?.status, 'False');
    assert.match(condition(d, 'Ready')?.message ?? '', /reading 'x'/);
  });
  it('a media pod that cannot get its image: Ready=False and Degraded=True say which image and what to fix', () => {
    const d = decide({
      agent: voiceAgent('front-desk'),
      deployments: new Map([['us-east-1', deployment(0)]]),
      mediaPods: new Map([
        [
          'us-east-1',
          [
            {
              metadata: { name: 'front-desk-us-east-1-abc' },
              status: {
                containerStatuses: [
                  {
                    name: 'media-node',
                    image: 'voicefleet/media-node:typo',
                    imageID: '',
                    ready: false,
                    restartCount: 0,
                    state: { waiting: { reason: 'ImagePullBackOff' } },
                  },
                ],
              },
            },
          ],
        ],
      ]),
    });
    const ready = condition(d, 'Ready');
    const degraded = condition(d, 'Degraded');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'ImageNotPulled');
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded?.reason, 'ImageNotPulled');
    assert.match(
      degraded?.message ?? '',
      /region us-east-1: .*"voicefleet\/media-node:typo".*fix spec\.image/,
    );
    assert.deepEqual(
      d.events.map((e) => `${e.type}/${e.reason}`),
      ['Warning/ImageNotPulled'],
    );
  });

  it('pods that run say nothing of pod problems', () => {
    const d = decide({
      agent: voiceAgent('front-desk'),
      deployments: new Map([['us-east-1', deployment(1)]]),
      mediaPods: new Map([['us-east-1', []]]),
    });
    assert.equal(condition(d, 'Degraded')?.status, 'False');
    assert.equal(condition(d, 'Ready')?.status, 'True');
  });
  it("a trunk whose credentials Secret cannot be read degrades the agent with the trunk's message", () => {
    const agent = voiceAgent('front-desk', { trunks: ['carrier-a'] });
    const d = decide({
      agent,
      deployments: new Map([['us-east-1', deployment(1)]]),
      references: {
        trunks: new Map([['carrier-a', true]]),
        trunkReady: new Map([
          [
            'carrier-a',
            {
              status: 'False',
              reason: 'SecretNotFound',
              message: 'Secret default/carrier-a-creds does not exist; create it',
            },
          ],
        ]),
        secrets: new Map(),
      },
    });
    assert.equal(condition(d, 'Ready')?.status, 'True', 'inbound calls still work');
    const degraded = condition(d, 'Degraded');
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded?.reason, 'TrunkSecretUnreadable');
    assert.match(
      degraded?.message ?? '',
      /SipTrunk carrier-a cannot authenticate: Secret default\/carrier-a-creds does not exist/,
    );
  });
});
