// The operator's per-agent monitoring on a real API server. Without the Prometheus operator's
// CRDs it writes none and each agent says so in its `Monitoring` condition (the agent itself stays
// Ready). With them installed as the Prometheus operator publishes them for `kubectl apply`
// (scripts/ensure-monitoring-crds.sh), it applies the agent's PrometheusRule and PodMonitor with
// the selector labels and runbook links it was given; the real schemas keep every field it wrote
// (a pruned field would make it rewrite the objects on every pass); and an edited or deleted rule
// is put back.
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@voicefleet/devtools/processes';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { installMonitoringCrds } from './harness/monitoring-crds.js';
import {
  agentManifest,
  condition,
  customObjects,
  installCrds,
  startOperator,
  type OperatorProcess,
} from './operator-helpers.js';

const MONITORING = { group: 'monitoring.coreos.com', version: 'v1', namespace: 'default' };
const ARGS = [
  '--regions',
  'local',
  '--no-leader-election',
  '--manage-monitoring',
  '--monitoring-labels',
  'release=kube-prometheus-stack',
  '--runbook-base-url',
  'https://wiki.example/voice',
];

interface RuleObject extends KubernetesObject {
  spec: {
    groups: {
      name: string;
      rules: {
        alert?: string;
        record?: string;
        expr: string;
        annotations?: Record<string, string>;
      }[];
    }[];
  };
}

describe(
  'operator per-agent monitoring on a real API server',
  { skip: controlPlaneSkipReason(), timeout: 240_000 },
  () => {
    let plane: ControlPlane;
    let op: OperatorProcess | undefined;
    let cr: ReturnType<typeof customObjects>;
    let custom: CustomObjectsApi;

    const getRule = async () =>
      (await custom.getNamespacedCustomObject({
        ...MONITORING,
        plural: 'prometheusrules',
        name: 'mon-desk-slo',
      })) as RuleObject;

    before(async () => {
      plane = await startControlPlane({ controllerManager: false });
      await installCrds(plane.kubeConfig);
      cr = customObjects(plane.kubeConfig);
      custom = plane.kubeConfig.makeApiClient(CustomObjectsApi);
      await cr.create(
        'voiceagents',
        agentManifest('mon-desk', ['+14155550140'], {
          regions: ['local'],
          minReplicas: 0,
          bufferCalls: 0,
        }),
      );
    });
    after(async () => {
      await op?.proc.stop();
      await plane?.stop();
    });

    test('without the monitoring CRDs the agent is Ready and Monitoring=False says what to install', async () => {
      op = await startOperator(plane.kubeconfigPath, plane.dir, ARGS, 'operator-no-crds');
      const agent = await waitFor(
        async () => {
          const a = await cr.get('voiceagents', 'mon-desk');
          return condition(a, 'Monitoring') !== undefined ? a : undefined;
        },
        { timeoutMs: 30_000, message: 'the Monitoring condition' },
      );
      const monitoring = condition(agent, 'Monitoring');
      assert.equal(monitoring?.status, 'False');
      assert.equal(monitoring?.reason, 'MonitoringCRDsMissing');
      assert.match(
        monitoring?.message ?? '',
        /podmonitors\.monitoring\.coreos\.com, prometheusrules\.monitoring\.coreos\.com/,
      );
      assert.equal(condition(agent, 'Ready')?.status, 'True');
      assert.equal(await op.metric('voicefleet_operator_reconcile_errors_total'), 0);
      await op.proc.stop();
      op = undefined;
    });

    test('with them it applies the PrometheusRule and PodMonitor, keeps them as written and puts them back', async () => {
      await installMonitoringCrds(plane.kubeConfig);
      op = await startOperator(plane.kubeconfigPath, plane.dir, ARGS, 'operator-crds');
      await waitFor(
        async () =>
          condition(await cr.get('voiceagents', 'mon-desk'), 'Monitoring')?.status === 'True',
        { timeoutMs: 30_000, message: 'Monitoring=True' },
      );
      const rule = await getRule();
      assert.equal(rule.metadata?.labels?.release, 'kube-prometheus-stack');
      assert.equal(rule.metadata?.ownerReferences?.[0]?.name, 'mon-desk');
      const alerts = rule.spec.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
      assert.deepEqual([...new Set(alerts.map((a) => a.alert))].sort(), [
        'VoiceAgentAnswerSuccessBudgetBurn',
        'VoiceAgentCallSetupBudgetBurn',
        'VoiceAgentTurnLatencyBudgetBurn',
      ]);
      for (const a of alerts)
        assert.match(a.annotations?.runbook_url ?? '', /^https:\/\/wiki\.example\/voice#/);
      const monitor = (await custom.getNamespacedCustomObject({
        ...MONITORING,
        plural: 'podmonitors',
        name: 'mon-desk-media-node',
      })) as KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> } } };
      assert.equal(monitor.metadata?.labels?.release, 'kube-prometheus-stack');
      assert.equal(monitor.spec.selector.matchLabels['voicefleet.io/agent'], 'mon-desk');

      // Another pass over the same agent finds both objects as it wrote them: nothing pruned.
      const writes = () => op!.metric('voicefleet_operator_api_writes_total', { verb: 'apply' });
      const written = await writes();
      const skipped = await op.metric('voicefleet_operator_apply_skipped_total', {
        kind: 'PrometheusRule',
      });
      await cr.patch('voiceagents', 'mon-desk', { metadata: { annotations: { touched: 'yes' } } });
      await waitFor(
        async () =>
          (await op!.metric('voicefleet_operator_apply_skipped_total', {
            kind: 'PrometheusRule',
          })) > skipped,
        { timeoutMs: 20_000, message: 'a second pass' },
      );
      assert.equal(await writes(), written, 'the second pass wrote nothing');

      // A rule edited by hand, then one deleted, comes back as the operator renders it.
      const edited = structuredClone(rule);
      edited.spec.groups[0]!.rules = edited.spec.groups[0]!.rules.slice(0, 1);
      await custom.replaceNamespacedCustomObject({
        ...MONITORING,
        plural: 'prometheusrules',
        name: 'mon-desk-slo',
        body: edited,
      });
      await waitFor(
        async () => isDeepStrictEqual((await getRule()).spec.groups, rule.spec.groups),
        { timeoutMs: 20_000, message: 'the edited rule restored' },
      );
      await custom.deleteNamespacedCustomObject({
        ...MONITORING,
        plural: 'prometheusrules',
        name: 'mon-desk-slo',
      });
      const back = await waitFor(() => getRule().catch(() => undefined), {
        timeoutMs: 20_000,
        message: 'the deleted rule recreated',
      });
      assert.deepEqual(back.spec.groups, rule.spec.groups);
      assert.doesNotMatch(op.proc.logTail(200), /"level":"error"/);
    });
  },
);
