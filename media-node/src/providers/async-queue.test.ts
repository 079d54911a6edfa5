import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsyncQueue } from './async-queue.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void describe('AsyncQueue', () => {
  void it('hands over what was pushed before and while the consumer waits, in order, then ends', async () => {
    let closed = 0;
    const q = new AsyncQueue<number>(() => closed++);
    q.push(1);
    q.push(2);
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const n of q) seen.push(n);
    })();
    await tick();
    q.push(3);
    await tick();
    q.push(4);
    q.end();
    q.push(5); // after the end: dropped
    await consumer;
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.equal(closed, 1);
  });

  void it('delivers queued values before a failure, the failure once, then nothing', async () => {
    let closed = 0;
    const q = new AsyncQueue<string>(() => closed++);
    q.push('a');
    q.fail(new Error('provider down'));
    q.fail(new Error('second failure ignored'));
    const it = q[Symbol.asyncIterator]();
    assert.deepEqual(await it.next(), { value: 'a', done: false });
    await assert.rejects(it.next(), /provider down/);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    assert.equal(closed, 1);
  });

  void it('rejects a consumer that is already waiting when the producer fails', async () => {
    const q = new AsyncQueue<number>();
    const waiting = q[Symbol.asyncIterator]().next();
    q.fail(new Error('cut off'));
    await assert.rejects(waiting, /cut off/);
  });

  void it('a consumer that stops early closes the queue once and later values go nowhere', async () => {
    let closed = 0;
    const q = new AsyncQueue<number>(() => closed++);
    q.push(1);
    q.push(2);
    for await (const n of q) if (n === 1) break;
    assert.equal(closed, 1);
    q.push(3);
    q.end();
    assert.deepEqual(await q[Symbol.asyncIterator]().next(), { value: undefined, done: true });
    assert.equal(closed, 1);
    assert.ok(q.ended);
  });
});
