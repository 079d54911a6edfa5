import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { AdmissionBoard } from './admission-board.js';

it('admits nothing until the node says it takes calls', () => {
  const board = new AdmissionBoard();
  assert.equal(board.tryTake(), false);
  board.publish({ accepting: true, maxCalls: 2, activeCalls: 0 });
  assert.equal(board.tryTake(), true);
});

it('counts the calls answered on arrival with those the node already has', () => {
  const board = new AdmissionBoard();
  board.publish({ accepting: true, maxCalls: 3, activeCalls: 1 });
  assert.equal(board.tryTake(), true);
  assert.equal(board.tryTake(), true);
  assert.equal(board.tryTake(), false, 'one active and two pending fill three');
  assert.equal(board.pending, 2);
  // the node counts one of them as its own: the total stays at capacity
  board.publish({ accepting: true, maxCalls: 3, activeCalls: 2 });
  board.release();
  assert.equal(board.tryTake(), false);
  board.publish({ accepting: true, maxCalls: 3, activeCalls: 1 }); // a call ended
  assert.equal(board.tryTake(), true);
});

it('closes while draining, whatever the room', () => {
  const board = new AdmissionBoard();
  board.publish({ accepting: false, maxCalls: 10, activeCalls: 0 });
  assert.equal(board.tryTake(), false);
  assert.equal(board.pending, 0, 'a refused take leaves nothing behind');
});

it('never admits past capacity when another thread takes at the same time', async () => {
  const board = new AdmissionBoard();
  board.publish({ accepting: true, maxCalls: 500, activeCalls: 0 });
  const takes = 2000;
  // the other thread runs this very module, as the RTP thread does
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.tsx).then(({ register }) => { register(); return import(workerData.module); }).then(({ AdmissionBoard }) => {
      const board = new AdmissionBoard(workerData.buffer);
      let taken = 0;
      for (let i = 0; i < workerData.takes; i++) if (board.tryTake()) taken++;
      parentPort.postMessage(taken);
    });
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: {
      buffer: board.buffer,
      takes,
      tsx: import.meta.resolve('tsx/esm/api'),
      module: new URL('./admission-board.ts', import.meta.url).href,
    },
  });
  const theirs = new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let mine = 0;
  for (let i = 0; i < takes; i++) if (board.tryTake()) mine++;
  const total = mine + (await theirs);
  assert.equal(total, 500, `${mine} here and ${total - mine} on the other thread`);
  assert.equal(board.pending, 500);
});
