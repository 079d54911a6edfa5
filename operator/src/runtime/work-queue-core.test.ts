import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, RECONCILE_BACKOFF } from './backoff.js';
import { WorkQueueCore } from './work-queue-core.js';

test('a key added twice before it runs is handed out once', () => {
  const q = new WorkQueueCore();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.next(0), 'a');
  assert.equal(q.next(0), 'b');
  assert.equal(q.next(0), undefined);
});

test('a key added while it runs is not handed out again until it is done, then once more', () => {
  const q = new WorkQueueCore();
  q.add('a');
  assert.equal(q.next(0), 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.next(0), undefined, 'never two workers on one key');
  q.done('a', { kind: 'success' }, 0);
  assert.equal(q.next(0), 'a');
  q.done('a', { kind: 'success' }, 0);
  assert.equal(q.next(0), undefined);
  assert.ok(q.isIdle());
});

test('failures back off exponentially from 5 ms and cap at 30 s', () => {
  const table: [number, number][] = [
    [0, 0],
    [1, 5],
    [2, 10],
    [3, 20],
    [10, 2560],
    [13, 20480],
    [14, 30_000],
    [1000, 30_000],
  ];
  for (const [attempt, delay] of table)
    assert.equal(backoffDelay(attempt, RECONCILE_BACKOFF), delay, `attempt ${attempt}`);
});

test('a failing key comes back after its backoff, and a success resets the count', () => {
  const q = new WorkQueueCore();
  q.add('a');
  let now = 1000;
  for (const expectedDelay of [5, 10, 20, 40]) {
    assert.equal(q.next(now), 'a');
    q.done('a', { kind: 'error' }, now);
    assert.equal(q.nextDueAt(), now + expectedDelay);
    assert.equal(q.next(now + expectedDelay - 1), undefined, 'not before its backoff');
    now += expectedDelay;
  }
  assert.equal(q.failuresOf('a'), 4);
  assert.equal(q.next(now), 'a');
  q.done('a', { kind: 'success' }, now);
  assert.equal(q.failuresOf('a'), 0);
  assert.ok(q.isIdle());
});

test('requeue-after brings a key back at the time asked, not earlier', () => {
  const q = new WorkQueueCore();
  q.add('a');
  assert.equal(q.next(0), 'a');
  q.done('a', { kind: 'success', requeueAfterMs: 500 }, 100);
  assert.equal(q.next(599), undefined);
  assert.equal(q.next(600), 'a');
});

test('of two delayed adds the earlier wins, and an immediate add cancels the wait', () => {
  const q = new WorkQueueCore();
  q.addAt('a', 1000);
  q.addAt('a', 300);
  q.addAt('a', 2000);
  assert.equal(q.nextDueAt(), 300);
  q.add('a');
  assert.equal(q.nextDueAt(), undefined);
  assert.equal(q.next(0), 'a');
});

test('a key re-added during a failing run runs again at once, keeping its failure count', () => {
  const q = new WorkQueueCore();
  q.add('a');
  assert.equal(q.next(0), 'a');
  q.add('a');
  q.done('a', { kind: 'error' }, 0);
  assert.equal(q.next(0), 'a');
  assert.equal(q.failuresOf('a'), 1);
});

test('depth counts keys ready to run, not running or delayed ones', () => {
  const q = new WorkQueueCore();
  q.add('a');
  q.add('b');
  q.addAt('c', 50);
  assert.equal(q.depth(), 2);
  q.next(0);
  assert.equal(q.depth(), 1);
  q.promote(50);
  assert.equal(q.depth(), 2);
});

test('a key waits for a worker from its first add, from its due time, or from its add while it ran', () => {
  const q = new WorkQueueCore();
  q.add('a', 100);
  q.add('a', 150); // the second add does not restart the wait
  assert.deepEqual(q.take(180), { key: 'a', waitMs: 80 });
  q.add('a', 200); // added while it runs
  q.done('a', { kind: 'success' }, 260);
  assert.deepEqual(q.take(270), { key: 'a', waitMs: 70 });
  q.done('a', { kind: 'success', requeueAfterMs: 1000 }, 300);
  assert.equal(q.take(1299), undefined);
  assert.deepEqual(q.take(1340), { key: 'a', waitMs: 40 }, 'from when it fell due');
  q.done('a', { kind: 'success' }, 1340);
  q.add('b');
  assert.deepEqual(q.take(2000), { key: 'b', waitMs: undefined }, 'queued without a time');
});

test('an urgent key runs before the keys that were waiting, once', () => {
  const q = new WorkQueueCore();
  q.add('a');
  q.add('b');
  q.add('c');
  q.addUrgent('c');
  q.addUrgent('d');
  assert.deepEqual([q.next(0), q.next(0), q.next(0), q.next(0), q.next(0)], ['c', 'd', 'a', 'b', undefined]); // prettier-ignore
});

test('an urgent key that is running runs again right after, ahead of the waiting keys', () => {
  const q = new WorkQueueCore();
  q.add('a');
  assert.equal(q.next(0), 'a');
  q.add('b');
  q.addUrgent('a');
  assert.equal(q.next(0), 'b', 'never two workers on one key: b may start meanwhile');
  q.add('c');
  q.done('a', { kind: 'success' }, 0);
  assert.equal(q.next(0), 'a');
  assert.equal(q.next(0), 'c');
  q.done('a', { kind: 'success' }, 0);
  q.done('b', { kind: 'success' }, 0);
  q.done('c', { kind: 'success' }, 0);
  assert.equal(q.next(0), undefined);
  assert.ok(q.isIdle());
});

test('an urgent key is not pushed back by a requeue or a delayed add', () => {
  const q = new WorkQueueCore();
  q.addUrgent('a');
  q.addAt('a', 1000);
  assert.equal(q.next(0), 'a');
  q.done('a', { kind: 'success', requeueAfterMs: 500 }, 0);
  assert.equal(q.next(0), undefined);
  assert.equal(q.next(500), 'a');
});
