import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { test } from 'node:test';
import type { Clock } from './work-queue-clock.js';
import { WorkQueue } from './work-queue.js';

/** A clock that only moves when the test says so. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimer(fn, ms) {
      const timer = { at: now + ms, fn };
      timers.add(timer);
      return () => timers.delete(timer);
    },
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const timer of [...timers]) {
      if (timer.at <= now) {
        timers.delete(timer);
        timer.fn();
      }
    }
    for (let i = 0; i < 5; i++) await tick();
  };
  return { clock, advance };
}

test('four workers never process one key concurrently, and a key re-added mid-run runs once more', async () => {
  const queue = new WorkQueue({ workers: 4 });
  const running = new Set<string>();
  const runs = new Map<string, number>();
  let overlap = false;
  const stop = new AbortController();
  const done = queue.run(async (key) => {
    if (running.has(key)) overlap = true;
    running.add(key);
    runs.set(key, (runs.get(key) ?? 0) + 1);
    if (key === 'a' && runs.get('a') === 1) {
      for (let i = 0; i < 10; i++) queue.add('a'); // ten adds during the run collapse into one
    }
    await tick();
    running.delete(key);
  }, stop.signal);
  for (const key of ['a', 'b', 'c', 'a', 'b']) queue.add(key);
  await queue.idle();
  stop.abort();
  await done;
  assert.equal(overlap, false);
  assert.deepEqual(Object.fromEntries(runs), { a: 2, b: 1, c: 1 });
});

test('a failing key is retried after 5, 10, 20 ms of backoff and stops once it succeeds', async () => {
  const { clock, advance } = manualClock();
  const queue = new WorkQueue({ clock });
  const attempts: number[] = [];
  const stop = new AbortController();
  const done = queue.run(async () => {
    attempts.push(clock.now());
    if (attempts.length < 4) throw new Error('transient');
    await Promise.resolve();
  }, stop.signal);
  queue.add('a');
  await advance(0);
  await advance(4);
  assert.deepEqual(attempts, [0], 'not retried before 5 ms');
  await advance(1);
  await advance(10);
  await advance(20);
  assert.deepEqual(attempts, [0, 5, 15, 35]);
  assert.equal(queue.failuresOf('a'), 0);
  await queue.idle();
  stop.abort();
  await done;
});

test('addAfter and requeueAfterMs run the key when due, not before', async () => {
  const { clock, advance } = manualClock();
  const queue = new WorkQueue({ clock });
  const seen: [string, number][] = [];
  const stop = new AbortController();
  const done = queue.run(async (key) => {
    seen.push([key, clock.now()]);
    await Promise.resolve();
    return key === 'periodic' && seen.length < 3 ? { requeueAfterMs: 1000 } : undefined;
  }, stop.signal);
  queue.addAfter('later', 300);
  queue.add('periodic');
  await advance(0);
  await advance(299);
  assert.deepEqual(seen, [['periodic', 0]]);
  await advance(1);
  await advance(700);
  assert.deepEqual(seen, [
    ['periodic', 0],
    ['later', 300],
    ['periodic', 1000],
  ]);
  stop.abort();
  await done;
});

test('depth and processing hooks report what the queue does', async () => {
  const depths: number[] = [];
  const outcomes: string[] = [];
  let resolve = (): void => undefined;
  const bothProcessed = new Promise<void>((r) => (resolve = r));
  const queue = new WorkQueue({
    hooks: {
      depth: (d) => depths.push(d),
      processed: (e) => {
        if (outcomes.push(`${e.key}:${e.outcome}`) === 2) resolve();
      },
    },
  });
  queue.add('a');
  queue.add('b');
  const stop = new AbortController();
  const done = queue.run(async (key) => {
    await tick();
    if (key === 'b') throw new Error('boom');
  }, stop.signal);
  await bothProcessed;
  stop.abort();
  await done;
  assert.deepEqual(depths.slice(0, 2), [1, 2]);
  assert.equal(outcomes[0], 'a:success');
  assert.equal(outcomes[1], 'b:error');
});
