import type { V1ConfigMap } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ListWatcher, WatchEnd, WatchRequest } from './informer-source.js';
import { labelIndex } from './informer-store.js';
import { Informer } from './informer.js';
import { waitFor } from '@voicefleet/devtools/processes';

const cm = (name: string, rv: string, labels: Record<string, string> = {}): V1ConfigMap => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, labels },
});

/** A scripted API: each list answers the next snapshot; each watch plays the next script. */
function fakeSource(
  snapshots: V1ConfigMap[][],
  watches: ((req: WatchRequest<V1ConfigMap>) => Promise<WatchEnd>)[],
): ListWatcher<V1ConfigMap> & { watchedFrom: string[] } {
  let lists = 0;
  let calls = 0;
  const watchedFrom: string[] = [];
  const hang = (req: WatchRequest<V1ConfigMap>) =>
    new Promise<WatchEnd>((resolve) =>
      req.signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true }),
    );
  return {
    watchedFrom,
    list: () => {
      const items = snapshots[Math.min(lists, snapshots.length - 1)]!;
      lists++;
      return Promise.resolve({ items, resourceVersion: `list-${lists}` });
    },
    watch: (req) => {
      watchedFrom.push(req.resourceVersion);
      return (watches[calls++] ?? hang)(req);
    },
  };
}

test('a watch that stays silent past the stall bound is dropped and the informer relists', async () => {
  const source = fakeSource([[cm('a', '1')], [cm('a', '1'), cm('b', '2')]], []);
  const informer = new Informer(source, { stallMs: 50, backoff: { baseMs: 1, capMs: 1 } });
  const added: string[] = [];
  informer.on('add', (o) => added.push(o.metadata!.name!));
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await waitFor(() => informer.stats().relists >= 2, { timeoutMs: 2000, intervalMs: 5 });
  stop.abort();
  await running;
  assert.equal(informer.stats().lastRelistReason, 'stalled');
  assert.deepEqual(added, ['a', 'b']);
});

test('a relist after 410 Gone reports the deletes and updates the watch missed', async () => {
  const source = fakeSource(
    [[cm('a', '1'), cm('b', '1')], [cm('a', '7')]],
    [() => Promise.resolve({ kind: 'expired' })],
  );
  const informer = new Informer(source, { backoff: { baseMs: 1, capMs: 1 } });
  const seen: string[] = [];
  informer.on('update', (old, obj) =>
    seen.push(
      `update ${obj.metadata!.name} ${old.metadata!.resourceVersion}->${obj.metadata!.resourceVersion}`,
    ),
  );
  informer.on('delete', (o) => seen.push(`delete ${o.metadata!.name}`));
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await waitFor(() => informer.stats().relists >= 2, { timeoutMs: 2000, intervalMs: 5 });
  stop.abort();
  await running;
  assert.equal(informer.stats().lastRelistReason, 'expired');
  assert.deepEqual(seen.sort(), ['delete b', 'update a 1->7']);
  assert.deepEqual(
    informer.list().map((o) => o.metadata!.name),
    ['a'],
  );
});

test('a watch closed by the server resumes from the last seen resourceVersion without a relist', async () => {
  const source = fakeSource(
    [[]],
    [
      (req) => {
        req.onEvent({ type: 'ADDED', object: cm('a', '5') });
        req.onEvent({ type: 'BOOKMARK', resourceVersion: '9' });
        return Promise.resolve({ kind: 'closed' });
      },
    ],
  );
  const informer = new Informer(source);
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await waitFor(() => source.watchedFrom.length >= 2, { timeoutMs: 2000, intervalMs: 5 });
  stop.abort();
  await running;
  assert.deepEqual(source.watchedFrom, ['list-1', '9']);
  assert.equal(informer.stats().relists, 1);
  assert.equal(informer.get('ns', 'a')?.metadata?.resourceVersion, '5');
});

test('an index finds objects by label and follows updates and deletes', async () => {
  const source = fakeSource(
    [[cm('x-1', '1', { agent: 'x' }), cm('y-1', '1', { agent: 'y' })]],
    [
      (req) => {
        req.onEvent({ type: 'MODIFIED', object: cm('y-1', '2', { agent: 'x' }) });
        req.onEvent({ type: 'DELETED', object: cm('x-1', '3', { agent: 'x' }) });
        return new Promise<WatchEnd>((resolve) =>
          req.signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true }),
        );
      },
    ],
  );
  const informer = new Informer(source);
  informer.addIndex('agent', labelIndex('agent'));
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await informer.waitForSync();
  await waitFor(() => informer.get('ns', 'x-1') === undefined, { timeoutMs: 2000, intervalMs: 5 });
  assert.deepEqual(
    informer.byIndex('agent', 'ns/x').map((o) => o.metadata!.name),
    ['y-1'],
  );
  assert.deepEqual(informer.byIndex('agent', 'ns/y'), []);
  stop.abort();
  await running;
});

test('a server that closes every watch at once is retried with backoff, not in a hot loop', async () => {
  const closeAtOnce = () => Promise.resolve<WatchEnd>({ kind: 'closed' });
  const source = fakeSource(
    [[]],
    Array.from({ length: 10_000 }, () => closeAtOnce),
  );
  const informer = new Informer(source, { backoff: { baseMs: 20, capMs: 100 } });
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  await new Promise((resolve) => setTimeout(resolve, 300));
  stop.abort();
  await running;
  assert.ok(source.watchedFrom.length < 15, `${source.watchedFrom.length} watches in 300 ms`);
  assert.equal(informer.stats().relists, 1, 'a clean close is resumed, not relisted');
});
