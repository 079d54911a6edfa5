import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { controlPlaneSkipReason } from './control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { waitFor } from '@voicefleet/devtools/processes';

function deployment(name: string): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'main', image: 'registry.invalid/none:1' }] },
      },
    },
  };
}

describe('control plane harness', { skip: controlPlaneSkipReason() }, () => {
  let plane: ControlPlane;
  let apps: AppsV1Api;
  let core: CoreV1Api;

  before(async () => {
    const started = Date.now();
    plane = await startControlPlane();
    console.log(`control plane ready in ${Date.now() - started} ms`);
    apps = plane.kubeConfig.makeApiClient(AppsV1Api);
    core = plane.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await plane?.stop();
  });

  test('a Deployment gets a ReplicaSet from the controller manager', async () => {
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
    const rs = await waitFor(
      async () => {
        const list = await apps.listNamespacedReplicaSet({ namespace: 'default' });
        return list.items.find((r) => r.metadata?.ownerReferences?.[0]?.name === 'web');
      },
      { timeoutMs: 30_000, message: 'ReplicaSet owned by web' },
    );
    assert.equal(rs.metadata?.ownerReferences?.[0]?.kind, 'Deployment');
  });

  test('deleting the owner garbage-collects the ReplicaSet', async () => {
    await apps.deleteNamespacedDeployment({
      name: 'web',
      namespace: 'default',
      propagationPolicy: 'Background',
    });
    await waitFor(
      async () => {
        const list = await apps.listNamespacedReplicaSet({ namespace: 'default' });
        return list.items.every((r) => r.metadata?.ownerReferences?.[0]?.name !== 'web');
      },
      { timeoutMs: 30_000, message: 'ReplicaSet of web to be garbage-collected' },
    );
  });

  test('the API server restarts on the same address and keeps its data', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'survivor' }, data: { k: 'v' } },
    });
    await plane.restartApiServer();
    const cm = await core.readNamespacedConfigMap({ name: 'survivor', namespace: 'default' });
    assert.deepEqual(cm.data, { k: 'v' });
  });

  test('RBAC is enforced for service-account tokens signed by the plane', async () => {
    await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'reader' } },
    });
    const issued = await core.createNamespacedServiceAccountToken({
      name: 'reader',
      namespace: 'default',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asReader = plane.kubeConfigFor(issued.status!.token).makeApiClient(CoreV1Api);
    await assert.rejects(asReader.listNamespacedSecret({ namespace: 'default' }), /403|forbidden/i);
    await assert.rejects(
      plane.kubeConfigFor('not-a-token').makeApiClient(CoreV1Api).listNamespace(),
      /401|unauthorized/i,
    );
  });
});
