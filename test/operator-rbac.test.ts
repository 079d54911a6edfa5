// The operator under the chart's own RBAC, never an admin token: the chart's ServiceAccount,
// ClusterRoles, Role and bindings on a real API server, the operator started with the
// environment of the chart's Deployment and a token of that ServiceAccount (TokenRequest API).
// With the Secrets rule of the chart of before (get only) its caches never sync: it must stay
// unready and write nothing, the edge sync included. With the chart's rules it must reach
// /readyz, reconcile an agent and a trunk, keep the edge's set ids in the release namespace, and
// (the Prometheus operator's CRDs installed) write the agent's PrometheusRule and PodMonitor, and
// its pool's NetworkPolicy, put back when edited or deleted.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1ClusterRole,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { helmSkipReason, renderChart, type RenderedObject } from './chart-helm.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { installMonitoringCrds } from './harness/monitoring-crds.js';
import { waitFor } from '@voicefleet/devtools/processes';
import {
  agentManifest,
  condition,
  customObjects,
  installCrds,
  startOperator,
  type OperatorProcess,
} from './operator-helpers.js';

const RELEASE_NS = 'voicefleet';
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];

/** The operator container's environment as the chart sets it, fieldRefs and secretKeyRefs resolved. */
function chartEnv(deployment: RenderedObject, podName: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of deployment.spec.template.spec.containers[0].env as {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: unknown };
  }[]) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = RELEASE_NS;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = podName;
    else if (e.valueFrom?.secretKeyRef !== undefined) env[e.name] = 'edge-rpc-token';
  }
  return env;
}

/** The chart's rules with Secrets readable by `get` only, as the chart granted them before. */
function withSecretsGetOnly(role: V1ClusterRole): V1ClusterRole {
  return {
    ...role,
    rules: (role.rules ?? []).map((r) =>
      r.resources?.includes('secrets') ? { ...r, verbs: ['get'] } : r,
    ),
  };
}

describe(
  'operator under the chart RBAC',
  { skip: controlPlaneSkipReason() || helmSkipReason, timeout: 240_000 },
  () => {
    let plane: ControlPlane;
    let op: OperatorProcess;
    let cr: ReturnType<typeof customObjects>;
    let core: CoreV1Api;
    let workloads: V1ClusterRole;
    let rbac: RbacAuthorizationV1Api;

    const ready = async (): Promise<number> =>
      (await fetch(`http://127.0.0.1:${op.metricsPort}/readyz`)).status;

    before(async () => {
      plane = await startControlPlane({ controllerManager: false });
      await installCrds(plane.kubeConfig);
      await installMonitoringCrds(plane.kubeConfig);
      cr = customObjects(plane.kubeConfig);
      core = plane.kubeConfig.makeApiClient(CoreV1Api);
      rbac = plane.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
      await core.createNamespace({ body: { metadata: { name: RELEASE_NS } } });

      const chart = renderChart('', [], RELEASE_NS);
      const objects = KubernetesObjectApi.makeApiClient(plane.kubeConfig);
      workloads = chart.find(
        (o) => o.kind === 'ClusterRole' && o.metadata?.name?.endsWith('-workloads'),
      ) as V1ClusterRole;
      // The operator reads the cluster IP of the edge's internal Service at start.
      const internal = chart.filter(
        (x) => x.kind === 'Service' && x.metadata?.name?.endsWith('-edge-internal'),
      );
      assert.equal(internal.length, 1);
      for (const o of [...chart.filter((x) => RBAC_KINDS.includes(x.kind ?? '')), ...internal]) {
        await objects.create(o === (workloads as unknown) ? withSecretsGetOnly(workloads) : o);
      }

      const deployment = chart.find(
        (o) => o.kind === 'Deployment' && o.metadata?.name?.endsWith('-operator'),
      )!;
      const account = deployment.spec.template.spec.serviceAccountName as string;
      const token = await core.createNamespacedServiceAccountToken({
        name: account,
        namespace: RELEASE_NS,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      const kubeconfig = join(plane.dir, 'operator-sa.kubeconfig');
      writeFileSync(kubeconfig, plane.kubeConfigFor(token.status?.token ?? '').exportConfig());

      await core.createNamespacedSecret({
        namespace: 'default',
        body: {
          metadata: { name: 'carrier-rbac-credentials' },
          stringData: { username: 'u', password: 'p' },
        },
      });
      await cr.create('siptrunks', {
        apiVersion: 'voicefleet.io/v1alpha1',
        kind: 'SipTrunk',
        metadata: { name: 'carrier-rbac', namespace: 'default' },
        spec: {
          gateways: [{ name: 'primary', host: '127.0.0.1', port: 5070 }],
          outbound: { credentialsSecretRef: { name: 'carrier-rbac-credentials' } },
        },
      } as never);
      await cr.create(
        'voiceagents',
        agentManifest('rbac-desk', ['+14155550130'], {
          regions: ['local'],
          minReplicas: 0,
          bufferCalls: 0,
        }),
      );

      const { KUBECONFIG: _admin, ...env } = process.env;
      op = await startOperator(kubeconfig, plane.dir, [], 'operator-sa', undefined, {
        ...env,
        ...chartEnv(deployment, 'rel-voicefleet-operator-0'),
      });
    });
    after(async () => {
      await op?.proc.stop();
      await plane?.stop();
    });

    test('with Secrets readable by get only, it stays unready and writes nothing', async () => {
      await waitFor(() => /secrets is forbidden/.test(op.proc.logTail(50)), {
        timeoutMs: 20_000,
        message: 'the Secret list refused',
      });
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(await ready(), 503);
      assert.equal(await op.metric('voicefleet_operator_api_writes_total'), 0);
      assert.equal((await cr.get('voiceagents', 'rbac-desk')).status, undefined);
      const sets = await core.listNamespacedConfigMap({ namespace: RELEASE_NS });
      assert.deepEqual(
        sets.items.map((c) => c.metadata?.name),
        [],
        'the edge sync did not run before the caches synced',
      );
    });

    test("with the chart's rules it reaches /readyz and reconciles an agent and a trunk", async () => {
      await rbac.replaceClusterRole({ name: workloads.metadata?.name ?? '', body: workloads });
      const grantedAt = statSync(op.proc.logPath).size;
      await waitFor(async () => (await ready()) === 200, {
        timeoutMs: 60_000,
        message: '/readyz under the chart RBAC',
      });
      const agent = await waitFor(
        async () => {
          // Ready (the agent controller) and RoutingPublished (the edge sync) are written by two
          // controllers in no set order: both must come.
          const a = await cr.get('voiceagents', 'rbac-desk');
          return a.status?.observedGeneration === 1 &&
            condition(a, 'Ready')?.status === 'True' &&
            condition(a, 'RoutingPublished') !== undefined
            ? a
            : undefined;
        },
        { timeoutMs: 30_000, message: 'agent reconciled, Ready and its routing reported' },
      );
      assert.equal(condition(agent, 'RoutingPublished')?.reason, 'NoEdges');
      assert.equal(condition(agent, 'Monitoring')?.reason, 'RulesApplied');
      const monitoring = plane.kubeConfig.makeApiClient(CustomObjectsApi);
      for (const [plural, name] of [
        ['prometheusrules', 'rbac-desk-slo'],
        ['podmonitors', 'rbac-desk-media-node'],
      ] as const)
        await monitoring.getNamespacedCustomObject({
          group: 'monitoring.coreos.com',
          version: 'v1',
          namespace: 'default',
          plural,
          name,
        });
      await plane.kubeConfig
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: 'rbac-desk-local', namespace: 'default' });
      // The pool's NetworkPolicy admits the chart's edge pods on SIP, its operator pods on HTTP.
      const networking = plane.kubeConfig.makeApiClient(NetworkingV1Api);
      const readPolicy = () =>
        networking.readNamespacedNetworkPolicy({ name: 'rbac-desk-local', namespace: 'default' });
      const policy = await waitFor(readPolicy, { timeoutMs: 30_000, message: 'NetworkPolicy' });
      assert.equal(policy.metadata?.ownerReferences?.[0]?.name, 'rbac-desk');
      /** The component of each peer a port admits ('anyone' for a rule without peers). */
      const peersOn = (p: V1NetworkPolicy, port: number) =>
        (p.spec?.ingress ?? [])
          .filter((r) => r.ports?.some((q) => q.port === port))
          .flatMap((r) => r._from ?? [undefined])
          .map((f) =>
            f === undefined
              ? 'anyone'
              : f.podSelector?.matchLabels?.['app.kubernetes.io/component'],
          );
      assert.deepEqual(peersOn(policy, 5060), ['edge']);
      assert.deepEqual(peersOn(policy, 8080), ['operator']);
      // Drift: a rule opened by hand is closed again; a deleted policy comes back.
      await networking.patchNamespacedNetworkPolicy(
        {
          name: 'rbac-desk-local',
          namespace: 'default',
          body: [{ op: 'remove', path: '/spec/ingress/2/from' }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      await waitFor(async () => peersOn(await readPolicy(), 8080).join() === 'operator', {
        timeoutMs: 30_000,
        message: 'the HTTP port closed again to all but the operator',
      });
      await networking.deleteNamespacedNetworkPolicy({
        name: 'rbac-desk-local',
        namespace: 'default',
      });
      await waitFor(async () => (await readPolicy().catch(() => undefined)) !== undefined, {
        timeoutMs: 30_000,
        message: 'NetworkPolicy recreated',
      });
      const trunk = await waitFor(
        async () => {
          const t = await cr.get('siptrunks', 'carrier-rbac');
          return condition(t, 'Ready')?.status === 'True' ? t : undefined;
        },
        { timeoutMs: 30_000, message: 'trunk Ready' },
      );
      assert.deepEqual(
        trunk.status?.gateways?.map((g) => g.name),
        ['primary'],
      );

      const sets = await core.readNamespacedConfigMap({
        name: 'rel-voicefleet-edge-sets',
        namespace: RELEASE_NS,
      });
      assert.match(sets.data?.['setIds'] ?? '', /pool\/default\/rbac-desk\/local/);
      const since = readFileSync(op.proc.logPath, 'utf8').slice(grantedAt);
      assert.doesNotMatch(since, /forbidden/, 'nothing refused once the chart rules apply');
    });
  },
);
