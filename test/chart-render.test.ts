// The Helm chart rendered by a real helm (built by scripts/ensure-helm.sh): lint, render with
// default and non-default values, assert what an operator of the cluster relies on (least-privilege
// RBAC, the control port kept private, the NetworkPolicy, CRDs identical to crds/), and apply the
// rendered objects to a real kube-apiserver with a server-side dry run.
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  KUBE_VERSION,
  chartDir as chart,
  helmSkipReason as helmSkip,
  renderChart as render,
  repoRoot as root,
  runHelm as run,
  type RenderedObject as Obj,
} from './chart-helm.js';
import { parseManifests } from '@voicefleet/api';
import { desiredDeployment, renderMediaNodeConfig } from '@voicefleet/operator';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';

const NS = 'vf';

/** The labels of a media pod as the operator writes its Deployment's pod template. */
/** The media pod template the operator writes for the front desk example. */
function mediaPodTemplate() {
  const agent = {
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'VoiceAgent',
    metadata: { name: 'front-desk', namespace: 'default', uid: 'u1', generation: 1 },
    spec: parseManifests(readFileSync(join(root, 'crds/examples/front-desk.yaml'), 'utf8'))
      .voiceAgents[0]!.spec,
  };
  const ctx = {
    agent,
    region: 'us-east-1',
    replicas: 1,
    config: renderMediaNodeConfig(agent, 'us-east-1', { edgeUri: 'sip:10.96.0.10:5070' }),
    options: {
      image: 'voicefleet/media-node:0.1.0',
      multiRegionCluster: false,
      edgeUri: 'sip:10.96.0.10:5070',
    },
  };
  return desiredDeployment(ctx).spec!.template;
}

function mediaPodLabels(): Record<string, string> {
  return mediaPodTemplate().metadata!.labels!;
}

// Rendered manifests are untyped data; the assertions below are their type check.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */

const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);

/** The operator container's plain env values by name. */
/** `helm template` with one `--set`, for the values the schema must refuse. */
function templateWith(set: string): ReturnType<typeof run> {
  return run(['template', 'rel', chart, '--kube-version', KUBE_VERSION, '--set', set]);
}

function operatorEnv(objs: Obj[]): Record<string, string | undefined> {
  const operator = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-operator'))!;
  return Object.fromEntries(
    (operator.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map(
      (e) => [e.name, e.value],
    ),
  );
}

const NON_DEFAULT = `
fullnameOverride: acme
operator:
  regions: [us-east-1, us-west-2]
  watchNamespaces: [agents]
  manageMonitoring: false
  mediaNetworkPolicy:
    metricsFrom:
      - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } }
edge:
  replicas: 3
  sipPort: 5080
  controlPort: 6090
  defines: [WITH_DEBUG, "PIKE_DENSITY 400"]
  rpc: { existingSecret: my-edge-token, secretKey: rpc }
  service: { type: LoadBalancer }
  networkPolicy:
    controlPortFrom:
      - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: monitoring } }
monitoring:
  labels: { release: prom }
  podMonitor: { enabled: true }
  prometheusRule: { enabled: true }
`;

describe('helm chart', { skip: helmSkip }, () => {
  test('helm lint passes with default and non-default values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-lint-'));
    try {
      writeFileSync(join(dir, 'v.yaml'), NON_DEFAULT);
      for (const extra of [[], ['-f', join(dir, 'v.yaml')]]) {
        const r = run(['lint', chart, '--strict', '--kube-version', KUBE_VERSION, ...extra]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without operator.mediaNetworkPolicy the operator writes none and gets no RBAC for it', () => {
    const objs = render('operator: { mediaNetworkPolicy: { enabled: false } }');
    assert.equal(operatorEnv(objs)['VOICEFLEET_MEDIA_NETWORK_POLICY'], undefined);
    assert.ok(
      !byKind(objs, 'ClusterRole').some((r) =>
        (r.rules as { resources: string[] }[]).some((x) => x.resources.includes('networkpolicies')),
      ),
    );
  });

  test('values.schema.json rejects a misspelt key with its name', () => {
    const r = templateWith('operator.region=us-east-1');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /region/);
    assert.match(r.stderr, /additional properties|not allowed/i);
  });

  for (const [label, values] of [
    ['default values', ''],
    ['non-default values', NON_DEFAULT],
  ] as const) {
    describe(label, () => {
      const objs = render(values);

      test('RBAC has no wildcard and never writes a Secret', () => {
        const roles = [...byKind(objs, 'ClusterRole'), ...byKind(objs, 'Role')];
        assert.ok(roles.length >= 2);
        for (const role of roles) {
          for (const rule of role.rules as {
            apiGroups: string[];
            resources: string[];
            verbs: string[];
          }[]) {
            for (const field of [rule.apiGroups, rule.resources, rule.verbs])
              assert.ok(
                !field.includes('*'),
                `${role.metadata!.name}: wildcard in ${JSON.stringify(rule)}`,
              );
            if (rule.resources.includes('secrets'))
              assert.ok(
                rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v)),
                `${role.metadata!.name}: Secrets read-only, got ${rule.verbs.join(',')}`,
              );
            if (rule.resources.includes('voiceagents'))
              assert.deepEqual(rule.verbs, ['get', 'list', 'watch']);
          }
        }
      });

      test('the control port is in no Service but the internal headless one', () => {
        const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
        const ports = edge.spec.template.spec.containers[0].ports as {
          name: string;
          containerPort: number;
        }[];
        const control = ports.find((p) => p.name === 'control')!.containerPort;
        for (const svc of byKind(objs, 'Service')) {
          const hasControl = (svc.spec.ports as { port: number; targetPort: unknown }[]).some(
            (p) => p.port === control || p.targetPort === 'control' || p.targetPort === control,
          );
          if (svc.metadata!.name!.endsWith('-edge-control')) {
            assert.ok(hasControl);
            assert.equal(svc.spec.clusterIP, 'None');
            assert.equal(svc.spec.type, 'ClusterIP');
          } else {
            assert.ok(!hasControl, `${svc.metadata!.name} exposes the control port`);
          }
        }
        const pub = byKind(objs, 'Service').find((s) => s.metadata!.name!.endsWith('-edge'))!;
        assert.deepEqual((pub.spec.ports as { protocol: string }[]).map((p) => p.protocol).sort(), [
          'TCP',
          'UDP',
        ]);
      });

      test('the NetworkPolicy admits the control port from the operator pods only (plus listed peers)', () => {
        const np = byKind(objs, 'NetworkPolicy').find((n) => n.metadata!.name!.endsWith('-edge'));
        assert.ok(np, 'NetworkPolicy missing');
        const operator = byKind(objs, 'Deployment').find((d) =>
          d.metadata!.name!.endsWith('-operator'),
        )!;
        const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
        assert.deepEqual(np.spec.podSelector.matchLabels, edge.spec.selector.matchLabels);
        const control = (
          edge.spec.template.spec.containers[0].ports as { name: string; containerPort: number }[]
        ).find((p) => p.name === 'control')!.containerPort;
        const rules = (np.spec.ingress as { ports: { port: number }[]; from?: unknown[] }[]).filter(
          (r) => r.ports.some((p) => p.port === control),
        );
        assert.equal(rules.length, 1);
        const from = rules[0]!.from as { podSelector?: { matchLabels: unknown } }[];
        assert.deepEqual(from[0]!.podSelector!.matchLabels, operator.spec.selector.matchLabels);
        assert.equal(from.length, label === 'default values' ? 1 : 2);
      });

      test('edge rollouts and drains keep SIP served: PodDisruptionBudget and surge-first updates', () => {
        const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
        const pdb = byKind(objs, 'PodDisruptionBudget').find((p) =>
          p.metadata!.name!.endsWith('-edge'),
        );
        assert.ok(pdb, 'PodDisruptionBudget missing');
        assert.deepEqual(pdb.spec.selector.matchLabels, edge.spec.selector.matchLabels);
        assert.equal(pdb.spec.maxUnavailable, 1);
        assert.equal(edge.spec.strategy.rollingUpdate.maxUnavailable, 0);
      });

      test('every pod runs non-root, read-only, without capabilities, with requests, limits and a spread', () => {
        const pods = [
          ...byKind(objs, 'Deployment').map((d) => [d.metadata!.name!, d.spec.template] as const),
          ...byKind(objs, 'Pod').map((p) => [p.metadata!.name!, p] as const),
        ];
        assert.ok(pods.length >= 3);
        for (const [name, pod] of pods) {
          const spec = pod.spec;
          assert.equal(spec.securityContext.runAsNonRoot, true, name);
          assert.equal(spec.securityContext.runAsUser, 65532, name);
          assert.equal(spec.securityContext.runAsGroup, 65532, name);
          assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault', name);
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            const what = `${name}/${c.name}`;
            assert.equal(c.securityContext.allowPrivilegeEscalation, false, what);
            assert.equal(c.securityContext.readOnlyRootFilesystem, true, what);
            assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], what);
            const added: string[] = c.securityContext.capabilities.add ?? [];
            assert.ok(
              added.every((a) => a === 'NET_BIND_SERVICE'),
              what,
            );
            assert.ok(['IfNotPresent', 'Always', 'Never'].includes(c.imagePullPolicy), what);
            for (const r of ['cpu', 'memory', 'ephemeral-storage'])
              assert.ok(c.resources.requests[r], `${what}: requests.${r}`);
            for (const r of ['memory', 'ephemeral-storage'])
              assert.ok(c.resources.limits[r], `${what}: limits.${r}`);
          }
        }
        for (const d of byKind(objs, 'Deployment')) {
          const keys = (
            d.spec.template.spec.topologySpreadConstraints as {
              topologyKey: string;
              labelSelector: { matchLabels: unknown };
            }[]
          ).map((t) => {
            assert.deepEqual(t.labelSelector.matchLabels, d.spec.selector.matchLabels);
            return t.topologyKey;
          });
          assert.deepEqual(keys, ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
        }
      });

      test("the operator writes each media pool's NetworkPolicy naming this release's edge and operator pods, with RBAC to write it", () => {
        const env = operatorEnv(objs);
        const podLabels = (suffix: string) =>
          byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith(suffix))!.spec.template
            .metadata.labels as Record<string, string>;
        const labelsOf = (selector: string | undefined) =>
          Object.fromEntries(
            (selector ?? '').split(',').map((kv) => kv.split('=') as [string, string]),
          ) as Record<string, string>;
        assert.equal(env['VOICEFLEET_MEDIA_NETWORK_POLICY'], 'true');
        for (const [k, v] of Object.entries(labelsOf(env['VOICEFLEET_OPERATOR_SELECTOR'])))
          assert.equal(podLabels('-operator')[k], v, `operator pods carry ${k}=${v}`);
        for (const [k, v] of Object.entries(labelsOf(env['VOICEFLEET_EDGE_SELECTOR'])))
          assert.equal(podLabels('-edge')[k], v, `edge pods carry ${k}=${v}`);
        assert.deepEqual(
          JSON.parse(env['VOICEFLEET_MEDIA_METRICS_FROM'] ?? ''),
          label === 'default values'
            ? []
            : [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
                  },
                },
              ],
        );
        const rule = byKind(objs, 'ClusterRole')
          .flatMap((r) => r.rules as { resources: string[]; verbs: string[] }[])
          .find((r) => r.resources.includes('networkpolicies'));
        assert.deepEqual(rule?.verbs, ['list', 'watch', 'create', 'patch']);
      });

      test('the operator: a PodDisruptionBudget, and a NetworkPolicy that admits only its metrics port', () => {
        const operator = byKind(objs, 'Deployment').find((d) =>
          d.metadata!.name!.endsWith('-operator'),
        )!;
        const pdb = byKind(objs, 'PodDisruptionBudget').find((p) =>
          p.metadata!.name!.endsWith('-operator'),
        );
        assert.ok(pdb, 'operator PodDisruptionBudget');
        assert.deepEqual(pdb.spec.selector.matchLabels, operator.spec.selector.matchLabels);
        assert.equal(pdb.spec.maxUnavailable, 1);
        const np = byKind(objs, 'NetworkPolicy').find((n) =>
          n.metadata!.name!.endsWith('-operator'),
        );
        assert.ok(np, 'operator NetworkPolicy');
        assert.deepEqual(np.spec.podSelector.matchLabels, operator.spec.selector.matchLabels);
        assert.deepEqual(np.spec.policyTypes, ['Ingress']);
        const metrics = operator.spec.template.spec.containers[0].ports[0].containerPort;
        assert.deepEqual(np.spec.ingress, [{ ports: [{ port: metrics, protocol: 'TCP' }] }]);
      });

      test('the RPC token lives in a Secret that both sides reference, never in a ConfigMap', () => {
        const operator = byKind(objs, 'Deployment').find((d) =>
          d.metadata!.name!.endsWith('-operator'),
        )!;
        const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
        const tokenRef = (
          env: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[],
          name: string,
        ) => env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
        const fromOperator = tokenRef(
          operator.spec.template.spec.containers[0].env,
          'VOICEFLEET_EDGE_RPC_TOKEN',
        );
        const fromEdge = tokenRef(edge.spec.template.spec.initContainers[0].env, 'VF_RPC_TOKEN');
        assert.ok(fromOperator);
        assert.deepEqual(fromEdge, fromOperator);
        const secrets = byKind(objs, 'Secret');
        if (label === 'default values') {
          assert.equal(secrets.length, 1);
          const token = Buffer.from(secrets[0]!.data[fromOperator.key], 'base64').toString();
          assert.match(token, /^[A-Za-z0-9]{48}$/);
          for (const cm of byKind(objs, 'ConfigMap'))
            assert.ok(!JSON.stringify(cm).includes(token));
        } else {
          assert.deepEqual(fromOperator, { name: 'my-edge-token', key: 'rpc' });
          assert.equal(secrets.length, 0);
        }
      });

      test('the edge ConfigMap carries files/kamailio unchanged', () => {
        const cm = byKind(objs, 'ConfigMap').find((c) => c.metadata!.name!.endsWith('-edge'))!;
        const dir = join(chart, 'files/kamailio');
        const files = existsSync(dir) ? readdirSync(dir) : [];
        assert.deepEqual(Object.keys(cm.data ?? {}).sort(), files.sort());
        for (const f of files) assert.equal(cm.data[f], readFileSync(join(dir, f), 'utf8'), f);
      });

      test('operator settings: regions, namespace, edge discovery', () => {
        const env = operatorEnv(objs);
        const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
        const selector = Object.entries(edge.spec.selector.matchLabels as Record<string, string>)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        assert.equal(env.VOICEFLEET_EDGE_SELECTOR, selector);
        if (label === 'default values') {
          assert.equal(env.VOICEFLEET_REGIONS, 'local');
          assert.equal(env.VOICEFLEET_NAMESPACE, undefined);
          // No host name for media nodes (a bare cluster has no DNS): the internal Service, which
          // the operator reads the cluster IP of.
          assert.equal(env.VOICEFLEET_EDGE_URI, undefined);
          assert.equal(env.VOICEFLEET_EDGE_SERVICE, `${NS}/rel-voicefleet-edge-internal:5070`);
        } else {
          assert.equal(env.VOICEFLEET_REGIONS, 'us-east-1,us-west-2');
          assert.equal(env.VOICEFLEET_NAMESPACE, 'agents');
          assert.equal(env.VOICEFLEET_EDGE_SERVICE, `${NS}/acme-edge-internal:5070`);
          assert.equal(env.VOICEFLEET_EDGE_CONTROL_PORT, '6090');
        }
      });

      test('workload permissions are bound cluster-wide only when every namespace is managed', () => {
        const crbs = byKind(objs, 'ClusterRoleBinding').map((b) => b.roleRef.name as string);
        const rbs = byKind(objs, 'RoleBinding').filter((b) => b.metadata!.namespace === 'agents');
        if (label === 'default values') {
          assert.ok(crbs.some((n) => n.endsWith('-workloads')));
          assert.equal(rbs.length, 0);
        } else {
          assert.ok(!crbs.some((n) => n.endsWith('-workloads') || n.endsWith('-resources')));
          assert.deepEqual(rbs.map((b) => b.roleRef.name).sort(), [
            'acme-operator-resources',
            'acme-operator-workloads',
          ]);
        }
      });

      test('PodMonitors and the PrometheusRule follow their toggles and carry the selector labels', () => {
        const monitors = byKind(objs, 'PodMonitor');
        const rules = byKind(objs, 'PrometheusRule');
        if (label === 'default values') {
          assert.equal(monitors.length + rules.length, 0);
        } else {
          assert.deepEqual(monitors.map((m) => m.metadata!.name).sort(), [
            'acme-edge',
            'acme-media-node',
            'acme-operator',
          ]);
          assert.equal(rules.length, 1);
          for (const o of [...monitors, ...rules])
            assert.equal(o.metadata!.labels!.release, 'prom');
        }
      });

      test("the internal SIP port: its own Service, the edge pods' port, media pods only", () => {
        const internal = byKind(objs, 'Service').find((s) =>
          s.metadata!.name!.endsWith('-edge-internal'),
        )!;
        assert.deepEqual(
          (internal.spec.ports as { port: number; protocol: string }[]).map(
            (p) => `${p.port}/${p.protocol}`,
          ),
          ['5070/UDP', '5070/TCP'],
        );
        const pub = byKind(objs, 'Service').find((s) => s.metadata!.name!.endsWith('-edge'))!;
        assert.ok(!(pub.spec.ports as { port: number }[]).some((p) => p.port === 5070));
        const np = byKind(objs, 'NetworkPolicy').find((n) => n.metadata!.name!.endsWith('-edge'))!;
        const rule = (
          np.spec.ingress as { ports: { port: number }[]; from?: { podSelector?: unknown }[] }[]
        ).find((r) => r.ports.some((p) => p.port === 5070))!;
        assert.deepEqual(rule.from?.[0]?.podSelector, {
          matchLabels: { 'app.kubernetes.io/name': 'voicefleet-media-node' },
        });
        const role = byKind(objs, 'Role').find((r) => r.metadata!.name!.endsWith('-operator'))!;
        assert.ok(
          (role.rules as { resources: string[]; resourceNames?: string[] }[]).some(
            (r) =>
              r.resources.includes('services') && r.resourceNames?.[0] === internal.metadata!.name,
          ),
          'the operator may read that Service, and no other',
        );
      });

      test('the init container writes the configured defines and ports', () => {
        const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
        const script = edge.spec.template.spec.initContainers[0].args[0] as string;
        if (label === 'default values') {
          assert.match(script, /!VF_SIP_PORT!5060!g/);
          assert.match(script, /!VF_INTERNAL_PORT!5070!g/);
          assert.match(script, /!VF_REGION!local!g/);
        } else {
          assert.match(script, /!VF_SIP_PORT!5080!g/);
          assert.match(script, /!VF_CONTROL_PORT!6090!g/);
          assert.match(script, /'#!define PIKE_DENSITY 400'/);
          assert.match(script, /!VF_REGION!us-east-1!g/);
        }
      });
    });
  }

  test("the edge PodMonitor labels every edge series with the edge pod's region and keeps the agents' and trunks' namespaces", () => {
    const objs = render('monitoring: { podMonitor: { enabled: true } }');
    const monitor = byKind(objs, 'PodMonitor').find((m) => m.metadata!.name!.endsWith('-edge'))!;
    const endpoint = (
      monitor.spec.podMetricsEndpoints as {
        honorLabels?: boolean;
        relabelings?: { sourceLabels: string[]; targetLabel: string }[];
      }[]
    )[0]!;
    assert.equal(endpoint.honorLabels, true);
    assert.deepEqual(endpoint.relabelings, [
      {
        sourceLabels: ['__meta_kubernetes_pod_label_voicefleet_io_region'],
        targetLabel: 'region',
      },
    ]);
    const edge = byKind(objs, 'Deployment').find((d) => d.metadata!.name!.endsWith('-edge'))!;
    assert.ok(
      edge.spec.template.metadata.labels['voicefleet.io/region'],
      'edge pods carry the region label the relabeling reads',
    );
  });

  test('the media-node PodMonitor selects the labels the operator puts on media pods and scrapes their metrics port', () => {
    const monitor = byKind(
      render(
        'operator: { manageMonitoring: false }\nmonitoring: { podMonitor: { enabled: true } }',
      ),
      'PodMonitor',
    ).find((m) => m.metadata!.name!.endsWith('-media-node'))!;
    const podLabels = mediaPodLabels();
    for (const [k, v] of Object.entries(
      monitor.spec.selector.matchLabels as Record<string, string>,
    ))
      assert.equal(podLabels[k], v, `media pods carry ${k}=${v}`);
    const ports = mediaPodTemplate().spec!.containers[0]!.ports!;
    assert.deepEqual(
      (monitor.spec.podMetricsEndpoints as { port: string; path: string }[]).map((e) => [
        e.port,
        e.path,
      ]),
      [['metrics', '/metrics']],
    );
    assert.equal(
      ports.find((p) => p.name === 'metrics')?.containerPort,
      9464,
      'the media pods name their metrics-only port',
    );
  });

  test('with manageMonitoring the operator writes per-agent monitoring with the selector labels and runbook base, and the chart adds no second media-node PodMonitor', () => {
    const objs = render(
      'monitoring:\n  labels: { release: kps, team: voice }\n  runbookBaseUrl: https://wiki.example/voice\n  podMonitor: { enabled: true }',
    );
    const env = operatorEnv(objs);
    assert.equal(env.VOICEFLEET_MANAGE_MONITORING, 'true');
    assert.equal(env.VOICEFLEET_MONITORING_LABELS, 'release=kps,team=voice');
    assert.equal(env.VOICEFLEET_RUNBOOK_BASE_URL, 'https://wiki.example/voice');
    assert.deepEqual(
      byKind(objs, 'PodMonitor')
        .map((m) => m.metadata!.name)
        .sort(),
      ['rel-voicefleet-edge', 'rel-voicefleet-operator'],
    );
    assert.equal(
      operatorEnv(render('operator: { manageMonitoring: false }')).VOICEFLEET_MANAGE_MONITORING,
      undefined,
    );
  });

  test('the edge as a NodePort Service, with a fixed node port when one is given', () => {
    const svc = (values: string) =>
      byKind(render(values), 'Service').find((s) => s.metadata!.name!.endsWith('-edge'))!;
    const fixed = svc('edge: { service: { type: NodePort, nodePort: 30560 } }');
    assert.equal(fixed.spec.type, 'NodePort');
    assert.deepEqual(
      (fixed.spec.ports as { nodePort?: number }[]).map((p) => p.nodePort),
      [30560, 30560],
    );
    assert.equal(fixed.spec.externalTrafficPolicy, 'Local');
    const picked = svc('edge: { service: { type: NodePort } }');
    assert.deepEqual(
      (picked.spec.ports as { nodePort?: number }[]).map((p) => p.nodePort),
      [undefined, undefined],
    );
  });

  test('edge.hostNetwork puts the edge pods on the node network', () => {
    const edge = byKind(render('edge: { hostNetwork: true }'), 'Deployment').find((d) =>
      d.metadata!.name!.endsWith('-edge'),
    )!;
    assert.equal(edge.spec.template.spec.hostNetwork, true);
    assert.equal(edge.spec.template.spec.dnsPolicy, 'ClusterFirstWithHostNet');
  });

  test('tracing.otlpEndpoint traces the operator and, through it, the media pods; a bare host is refused', () => {
    const off = operatorEnv(render(''));
    assert.equal(off.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(off.VOICEFLEET_MEDIA_OTLP_ENDPOINT, undefined);
    const endpoint = 'http://otel-collector.monitoring:4317';
    const on = operatorEnv(render(`tracing: { otlpEndpoint: "${endpoint}" }`));
    assert.equal(on.OTEL_EXPORTER_OTLP_ENDPOINT, endpoint, 'the operator exports its reconciles');
    assert.equal(on.VOICEFLEET_MEDIA_OTLP_ENDPOINT, endpoint, 'and hands it to the media pods');
    const r = templateWith('tracing.otlpEndpoint=otel-collector:4317');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /otlpEndpoint/);
  });

  test('a value of the wrong type is rejected by the schema, naming the field', () => {
    const r = templateWith('edge.replicas=two');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /edge\.replicas|\/edge\/replicas/);
    assert.match(r.stderr, /integer/);
  });

  test('helm test: a pod that calls the configured number through the public edge Service', () => {
    const pod = byKind(render('tests: { number: "+14155550100" }'), 'Pod')[0]!;
    assert.equal(pod.metadata!.annotations!['helm.sh/hook'], 'test');
    const c = pod.spec.containers[0] as { command: string[]; args: string[] };
    assert.deepEqual(c.command, ['node', '/app/probe-call.js']);
    assert.equal(c.args[0], 'sip:$(REL_VOICEFLEET_EDGE_SERVICE_HOST):5060');
    assert.equal(c.args[1], '+14155550100');
  });

  test('the chart CRDs are the generated crds/, byte for byte and as rendered', () => {
    const crdDir = join(root, 'crds');
    const files = readdirSync(crdDir).filter((f) => f.endsWith('.yaml'));
    assert.equal(files.length, 2);
    for (const f of files)
      assert.equal(
        readFileSync(join(chart, 'crds', f), 'utf8'),
        readFileSync(join(crdDir, f), 'utf8'),
        f,
      );
    const rendered = byKind(render('', ['--include-crds']), 'CustomResourceDefinition');
    const expected = files.map(
      (f) => parseAllDocuments(readFileSync(join(crdDir, f), 'utf8'))[0]!.toJS() as Obj,
    );
    const key = (o: Obj) => o.metadata!.name!;
    assert.deepEqual(
      rendered.sort((a, b) => key(a).localeCompare(key(b))),
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
  });
});

describe(
  'helm chart on a real API server (server-side dry run)',
  { skip: helmSkip || controlPlaneSkipReason() },
  () => {
    let plane: ControlPlane;
    before(async () => {
      plane = await startControlPlane({ controllerManager: false });
    });
    after(async () => {
      await plane?.stop();
    });

    test('every rendered object is accepted by the API server', async () => {
      const objects = KubernetesObjectApi.makeApiClient(plane.kubeConfig);
      const custom = plane.kubeConfig.makeApiClient(CustomObjectsApi);
      const core = plane.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: NS } } });
      await core.createNamespace({ body: { metadata: { name: 'agents' } } });
      // A Pod (the helm test hook) is admitted only with its ServiceAccount there; without
      // kube-controller-manager nobody creates `default`.
      await core.createNamespacedServiceAccount({
        namespace: NS,
        body: { metadata: { name: 'default' } },
      });
      const crdApi = {
        group: 'apiextensions.k8s.io',
        version: 'v1',
        plural: 'customresourcedefinitions',
      };
      const all = render('', ['--include-crds']);
      for (const crd of byKind(all, 'CustomResourceDefinition'))
        await custom.createClusterCustomObject({ ...crdApi, body: crd, dryRun: 'All' });
      const nonDefault = render(NON_DEFAULT.replace(/monitoring:[\s\S]*$/, ''));
      for (const o of [
        ...all.filter((x) => x.kind !== 'CustomResourceDefinition'),
        ...nonDefault,
      ]) {
        await objects.create(o, undefined, 'All').catch((e: unknown) => {
          throw new Error(`${o.kind} ${o.metadata?.name} rejected`, { cause: e });
        });
      }
    });
  },
);
