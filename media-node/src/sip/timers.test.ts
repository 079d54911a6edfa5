import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { realTimers } from './timers.js';

test('a protocol timer fires on time while only a later timer keeps the loop alive', async () => {
  const keepAlive = setTimeout(() => undefined, 2000);
  const started = performance.now();
  await new Promise<void>((resolve) => realTimers.after(50, resolve));
  clearTimeout(keepAlive);
  assert.ok(performance.now() - started < 500, 'fired within 500 ms of its 50 ms');
});

test('a timer due behind a stalled event loop runs after the datagram that arrived during the stall', async () => {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const order: string[] = [];
  socket.on('message', () => order.push('datagram'));
  const fired = new Promise<void>((resolve) =>
    realTimers.after(20, () => {
      order.push('timer');
      resolve();
    }),
  );
  socket.send('ack', socket.address().port, '127.0.0.1');
  const until = performance.now() + 100; // the stall: the timer comes due and the datagram waits
  while (performance.now() < until);
  await fired;
  socket.close();
  assert.deepEqual(order, ['datagram', 'timer']);
});

test('a cancelled timer never runs, also when cancelled once due', async () => {
  let ran = false;
  const early = realTimers.after(10, () => (ran = true));
  early.cancel();
  const due = realTimers.after(1, () => (ran = true));
  // Comes due in the same timers phase, after the one above has queued its run.
  setTimeout(() => due.cancel(), 1);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(ran, false);
});
