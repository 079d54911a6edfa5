// The operator's reconciles as an SRE reads them in Jaeger: the operator process, against a real
// API server, exports OTLP/gRPC to a real Jaeger v2 (scripts/ensure-jaeger.sh) while a SipTrunk
// and a VoiceAgent are applied and the agent is touched again. Asserted from Jaeger's query API:
// one span per reconcile with what it reconciled and how it ended, its API writes adding up to
// the operator's own write counter, and a span that lies between the apply and the status it
// produced.
import { sipTrunkManifest } from '@voicefleet/api/testing';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@voicefleet/devtools/processes';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import {
  jaegerSkipReason,
  startJaeger,
  type JaegerSpan,
  type RunningJaeger,
} from './harness/jaeger.js';
import {
  agentManifest,
  customObjects,
  installCrds,
  startOperator,
  type OperatorProcess,
} from './operator-helpers.js';

const SERVICE = 'voicefleet-operator';
const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;

describe(
  'operator reconciles traced in a real Jaeger',
  { skip: controlPlaneSkipReason() || jaegerSkipReason, timeout: 180_000 },
  () => {
    let plane: ControlPlane;
    let jaeger: RunningJaeger;
    let op: OperatorProcess;
    let cr: ReturnType<typeof customObjects>;

    before(async () => {
      [plane, jaeger] = await Promise.all([startControlPlane(), startJaeger()]);
      await installCrds(plane.kubeConfig);
      cr = customObjects(plane.kubeConfig);
      op = await startOperator(
        plane.kubeconfigPath,
        plane.dir,
        ['--regions', 'us-east-1', '--no-leader-election'],
        'operator',
        undefined,
        {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
          OTEL_BSP_SCHEDULE_DELAY: '200',
        },
      );
    });
    after(async () => {
      await op?.proc.stop();
      await jaeger?.stop();
      await plane?.stop();
    });

    /** Every span of the operator in Jaeger, oldest first. */
    const spans = async (): Promise<JaegerSpan[]> =>
      (await jaeger.traces(SERVICE))
        .flatMap((t) => t.spans)
        .sort((a, b) => a.startTime - b.startTime);
    const reconcilesOf = (all: JaegerSpan[], kind: string, name: string) =>
      all.filter(
        (s) =>
          s.operationName === `reconcile ${kind}` && tag(s, 'voicefleet.reconcile.name') === name,
      );

    test('a span per reconcile of a VoiceAgent and a SipTrunk, its writes and timing', async () => {
      await cr.create('siptrunks', sipTrunkManifest('carrier-a'));
      const trunkReady = await waitFor(
        async () => (await cr.get('siptrunks', 'carrier-a')).status?.observedGeneration === 1,
        { timeoutMs: 30_000, message: 'trunk status' },
      );
      assert.ok(trunkReady);
      const applied = Date.now() * 1000;
      await cr.create('voiceagents', agentManifest('front-desk', ['+14155550100']));
      await waitFor(
        async () => (await cr.get('voiceagents', 'front-desk')).status?.observedGeneration === 1,
        { timeoutMs: 30_000, message: 'agent status' },
      );
      const statusSeen = Date.now() * 1000;

      const first = await waitFor(
        async () => reconcilesOf(await spans(), 'VoiceAgent', 'front-desk')[0],
        { timeoutMs: 20_000, message: 'the agent reconcile in Jaeger' },
      );
      assert.equal(tag(first, 'voicefleet.reconcile.kind'), 'VoiceAgent');
      assert.equal(tag(first, 'voicefleet.reconcile.namespace'), 'default');
      assert.match(String(tag(first, 'voicefleet.reconcile.result')), /^(ok|requeue)$/);
      // Its children (ConfigMap, Service, PodDisruptionBudget, Deployment) and its status.
      assert.ok(
        Number(tag(first, 'voicefleet.reconcile.api_writes')) >= 5,
        `first reconcile wrote ${String(tag(first, 'voicefleet.reconcile.api_writes'))} times`,
      );
      // It starts after the apply and before its status write is read back (the write is inside
      // it; its Events follow), takes well under the time to see the status, not a second in the queue.
      assert.ok(first.startTime >= applied, 'the reconcile starts after the apply');
      assert.ok(first.startTime <= statusSeen, 'and before its status is read');
      assert.ok(first.duration < 5_000_000, `it took ${first.duration} us`);
      assert.ok(first.duration > 0);
      const wait = Number(tag(first, 'voicefleet.reconcile.queue_wait_ms'));
      assert.ok(wait >= 0 && wait < 1000, `queue wait ${wait} ms`);

      const trunk = reconcilesOf(await spans(), 'SipTrunk', 'carrier-a')[0];
      assert.ok(trunk, 'the trunk reconcile in Jaeger');
      assert.equal(tag(trunk, 'voicefleet.reconcile.namespace'), 'default');
      assert.equal(tag(trunk, 'voicefleet.reconcile.result'), 'ok');
      assert.ok(Number(tag(trunk, 'voicefleet.reconcile.api_writes')) >= 1, 'its status write');
    });

    test('a reconcile that changes nothing writes nothing, and every write is in some span', async () => {
      // Settled: no reconcile of the agent for two seconds (its pods stay Pending: no kubelet).
      let seen = -1;
      const earlier = await waitFor(
        async () => {
          const n = reconcilesOf(await spans(), 'VoiceAgent', 'front-desk').length;
          if (n === seen) return n;
          seen = n;
          return undefined;
        },
        { timeoutMs: 30_000, intervalMs: 2000, message: 'the agent settles' },
      );
      await cr.patch('voiceagents', 'front-desk', {
        metadata: { annotations: { 'example.com/owner': 'sre' } },
      });
      const touched = await waitFor(
        async () => reconcilesOf(await spans(), 'VoiceAgent', 'front-desk')[earlier],
        { timeoutMs: 20_000, message: 'the reconcile after the annotation' },
      );
      assert.equal(tag(touched, 'voicefleet.reconcile.api_writes'), 0);
      assert.match(String(tag(touched, 'voicefleet.reconcile.result')), /^(ok|requeue)$/);

      // The operator's own write counter and the spans' sum agree once the last batch is out.
      await waitFor(
        async () => {
          const counted = await op.metric('voicefleet_operator_api_writes_total');
          const traced = (await spans())
            .filter((s) => s.operationName.startsWith('reconcile '))
            .reduce((sum, s) => sum + Number(tag(s, 'voicefleet.reconcile.api_writes')), 0);
          return counted > 0 && counted === traced ? true : undefined;
        },
        {
          timeoutMs: 20_000,
          message: 'api writes in spans = voicefleet_operator_api_writes_total',
        },
      );
    });
  },
);
