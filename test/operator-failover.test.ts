// Two operator instances with leader election against a real API server: only the leader
// writes; SIGKILL of the leader (no release) hands over within 20 s; an API server restart is
// survived without restarting the operator; SIGTERM releases the Lease.
import { CoordinationV1Api } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { waitFor } from '@voicefleet/devtools/processes';
import {
  agentManifest,
  customObjects,
  installCrds,
  startOperator,
  type OperatorProcess,
} from './operator-helpers.js';

describe(
  'operator leader election and API server restarts',
  { skip: controlPlaneSkipReason() },
  () => {
    let plane: ControlPlane;
    let cr: ReturnType<typeof customObjects>;
    const ops: OperatorProcess[] = [];
    let leader: OperatorProcess;
    let standby: OperatorProcess;

    const flags = (id: string) => [
      '--regions',
      'us-east-1',
      '--identity',
      id,
      '--leader-election-namespace',
      'default',
      '--lease-duration-seconds',
      '6',
    ];

    /** Changes the greeting and resolves with how long the status took to catch up. */
    async function changeAndWait(greeting: string, timeoutMs: number): Promise<number> {
      const updated = await cr.patch('voiceagents', 'front-desk', {
        spec: { pipeline: { greeting } },
      });
      const generation = updated.metadata?.generation;
      const t0 = Date.now();
      await waitFor(
        async () =>
          (await cr.get('voiceagents', 'front-desk')).status?.observedGeneration === generation,
        {
          timeoutMs,
          intervalMs: 200,
          message: `observedGeneration ${generation}`,
        },
      );
      return Date.now() - t0;
    }

    before(async () => {
      plane = await startControlPlane();
      await installCrds(plane.kubeConfig);
      cr = customObjects(plane.kubeConfig);
      ops.push(await startOperator(plane.kubeconfigPath, plane.dir, flags('op-a'), 'operator-a'));
      ops.push(await startOperator(plane.kubeconfigPath, plane.dir, flags('op-b'), 'operator-b'));
    });
    after(async () => {
      for (const op of ops) await op.proc.stop();
      await plane?.stop();
    });

    test('exactly one instance leads and only it writes', async () => {
      const [a, b] = ops as [OperatorProcess, OperatorProcess];
      await waitFor(
        async () =>
          (await a.metric('voicefleet_operator_leader')) +
            (await b.metric('voicefleet_operator_leader')) ===
          1,
        {
          timeoutMs: 30_000,
          message: 'one leader',
        },
      );
      [leader, standby] = (await a.metric('voicefleet_operator_leader')) === 1 ? [a, b] : [b, a];
      await cr.create('voiceagents', agentManifest('front-desk', ['+14155550100']));
      await waitFor(
        async () => (await cr.get('voiceagents', 'front-desk')).status?.observedGeneration === 1,
        {
          timeoutMs: 30_000,
          message: 'reconciled by the leader',
        },
      );
      assert.ok((await leader.metric('voicefleet_operator_api_writes_total')) > 0);
      assert.equal(
        await standby.metric('voicefleet_operator_api_writes_total'),
        0,
        'the standby wrote nothing',
      );
      const ready = await fetch(`http://127.0.0.1:${standby.metricsPort}/readyz`);
      assert.equal(ready.status, 200, 'the standby has synced caches');
    });

    test('after SIGKILL of the leader the standby reconciles a new change within 20 s', async () => {
      await leader.proc.stop({ signal: 'SIGKILL' });
      const ms = await changeAndWait('After failover', 20_000);
      assert.ok(ms <= 20_000, `took ${ms} ms`);
      assert.equal(await standby.metric('voicefleet_operator_leader'), 1);
    });

    test('catches up after the API server restarts, without being restarted', async () => {
      await plane.restartApiServer();
      await changeAndWait('After restart', 60_000);
      assert.ok(standby.proc.isRunning());
    });

    test('SIGTERM stops the operator and releases the Lease', async () => {
      const exit = await standby.proc.stop({ signal: 'SIGTERM', timeoutMs: 15_000 });
      assert.equal(exit.signal, null, 'exited by itself, not killed');
      const lease = await plane.kubeConfig
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: 'voicefleet-operator', namespace: 'default' });
      assert.equal(lease.spec?.holderIdentity ?? '', '');
    });
  },
);
