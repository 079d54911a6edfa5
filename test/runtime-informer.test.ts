import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Informer } from '../operator/src/kube/informer.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { waitFor } from '@voicefleet/devtools/processes';

const skip = controlPlaneSkipReason();

function configMaps(plane: ControlPlane, namespace: string, options = {}): Informer<V1ConfigMap> {
  return Informer.forResource<V1ConfigMap>(
    plane.kubeConfig,
    { group: '', version: 'v1', plural: 'configmaps', namespace },
    { backoff: { baseMs: 100, capMs: 1_000 }, ...options },
  );
}

async function namespace(core: CoreV1Api, name: string): Promise<string> {
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

const body = (name: string, data: Record<string, string> = {}): V1ConfigMap => ({
  metadata: { name },
  data,
});

describe('informer on a real API server', { skip }, () => {
  let plane: ControlPlane;
  let core: CoreV1Api;
  const stop = new AbortController();
  const running: Promise<void>[] = [];

  before(async () => {
    plane = await startControlPlane({ controllerManager: false });
    core = plane.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(async () => {
    stop.abort();
    await Promise.all(running);
    await plane?.stop();
  });

  test('sees objects created, updated and deleted after it synced', async () => {
    const ns = await namespace(core, 'crud');
    await core.createNamespacedConfigMap({ namespace: ns, body: body('before') });
    const informer = configMaps(plane, ns);
    const log: string[] = [];
    informer.on('add', (o) => log.push(`add ${o.metadata!.name}`));
    informer.on('update', (_old, o) => log.push(`update ${o.metadata!.name} ${o.data?.k}`));
    informer.on('delete', (o) => log.push(`delete ${o.metadata!.name}`));
    running.push(informer.run(stop.signal));
    await informer.waitForSync();
    assert.ok(informer.hasSynced());
    assert.equal(informer.get(ns, 'before')?.metadata?.name, 'before');

    await core.createNamespacedConfigMap({ namespace: ns, body: body('x', { k: '1' }) });
    await core.replaceNamespacedConfigMap({
      name: 'x',
      namespace: ns,
      body: body('x', { k: '2' }),
    });
    await core.deleteNamespacedConfigMap({ name: 'before', namespace: ns });
    await waitFor(() => log.length >= 4, { timeoutMs: 10_000, message: 'four informer events' });
    assert.deepEqual(log, ['add before', 'add x', 'update x 2', 'delete before']);
    assert.deepEqual(
      informer.list().map((o) => o.metadata!.name),
      ['x'],
    );
  });

  test('survives an API server restart and catches up with what changed meanwhile', async () => {
    const ns = await namespace(core, 'restart');
    await core.createNamespacedConfigMap({ namespace: ns, body: body('kept', { k: '1' }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: body('doomed') });
    const informer = configMaps(plane, ns);
    const deleted: string[] = [];
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    running.push(informer.run(stop.signal));
    await informer.waitForSync();

    await plane.restartApiServer();
    // The informer's watch broke with the old server; these land before it is back.
    await core.createNamespacedConfigMap({ namespace: ns, body: body('fresh') });
    await core.replaceNamespacedConfigMap({
      name: 'kept',
      namespace: ns,
      body: body('kept', { k: '2' }),
    });
    await core.deleteNamespacedConfigMap({ name: 'doomed', namespace: ns });

    await waitFor(
      () =>
        informer.get(ns, 'fresh') !== undefined &&
        informer.get(ns, 'kept')?.data?.k === '2' &&
        informer.get(ns, 'doomed') === undefined,
      { timeoutMs: 30_000, message: 'the informer to catch up after the restart' },
    );
    assert.deepEqual(deleted, ['doomed']);

    // And it keeps watching afterwards.
    await core.createNamespacedConfigMap({ namespace: ns, body: body('later') });
    await waitFor(() => informer.get(ns, 'later'), {
      timeoutMs: 10_000,
      message: 'a change after catching up',
    });
  });
});

describe('informer when its resourceVersion is compacted away', { skip }, () => {
  let plane: ControlPlane;
  let core: CoreV1Api;
  const stop = new AbortController();
  let running: Promise<void> | undefined;

  before(async () => {
    // Without the watch cache, watches go to etcd, which answers a compacted revision with 410.
    plane = await startControlPlane({ controllerManager: false, watchCache: false });
    core = plane.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(async () => {
    stop.abort();
    await running;
    await plane?.stop();
  });

  test('a watch resumed from a compacted resourceVersion gets 410 Gone and the informer relists', async () => {
    const ns = await namespace(core, 'quiet');
    const other = await namespace(core, 'busy');
    await core.createNamespacedConfigMap({ namespace: ns, body: body('a') });
    // The server ends each watch after 1 s; the informer resumes from its last resourceVersion.
    const informer = configMaps(plane, ns, { watchTimeoutSeconds: 1 });
    running = informer.run(stop.signal);
    await informer.waitForSync();
    assert.equal(informer.stats().relists, 1);

    // Writes elsewhere move etcd past the informer's version; compaction then drops it.
    for (let i = 0; i < 3; i++)
      await core.createNamespacedConfigMap({ namespace: other, body: body(`n${i}`) });
    await plane.compactEtcd();

    await waitFor(() => informer.stats().lastRelistReason === 'expired', {
      timeoutMs: 15_000,
      message: 'a relist after 410 Gone',
    });
    await core.createNamespacedConfigMap({ namespace: ns, body: body('b') });
    await waitFor(() => informer.get(ns, 'b'), {
      timeoutMs: 10_000,
      message: 'events after the relist',
    });
    assert.deepEqual(
      informer
        .list()
        .map((o) => o.metadata!.name)
        .sort(),
      ['a', 'b'],
    );
  });
});
