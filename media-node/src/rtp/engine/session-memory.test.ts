import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IN_SLOTS, OUT_SLOTS, SessionMemory } from './session-memory.js';

const frame = (n: number): Int16Array => new Int16Array(160).fill(n);

void describe('SessionMemory', () => {
  void it('hands outbound frames over in order with their marks, and says when it is full', () => {
    const main = new SessionMemory();
    const worker = new SessionMemory(main.buffer);
    for (let n = 1; n <= OUT_SLOTS; n++) assert.ok(main.writeOut(frame(n), n === 3 ? 7 : 0));
    assert.equal(main.writeOut(frame(999), 0), false, 'a full ring refuses the frame');
    assert.equal(main.outQueued, OUT_SLOTS);
    const into = new Int16Array(160);
    const marks: number[] = [];
    for (let n = 1; n <= OUT_SLOTS; n++) {
      marks.push(worker.takeOut(into) ?? -1);
      assert.equal(into[0], n);
    }
    assert.equal(worker.takeOut(into), undefined);
    assert.equal(marks.indexOf(7), 2);
    assert.equal(main.outQueued, 0);
  });

  void it('keeps working across many wraps of the ring', () => {
    const main = new SessionMemory();
    const worker = new SessionMemory(main.buffer);
    const into = new Int16Array(160);
    for (let n = 0; n < OUT_SLOTS * 5 + 3; n++) {
      assert.ok(main.writeOut(frame(n % 30000), 0));
      worker.takeOut(into);
      assert.equal(into[0], n % 30000);
    }
  });

  void it('a clear drops what was written before it, reports the dropped marks, keeps what follows', () => {
    const main = new SessionMemory();
    const worker = new SessionMemory(main.buffer);
    const into = new Int16Array(160);
    assert.equal(worker.takeClear(), undefined, 'no clear yet');
    main.writeOut(frame(1), 0);
    main.writeOut(frame(2), 5);
    main.writeOut(frame(3), 0);
    worker.takeOut(into); // frame 1 already sent
    main.clearOut();
    main.writeOut(frame(4), 6);
    assert.deepEqual(worker.takeClear(), [5]);
    assert.equal(worker.takeClear(), undefined, 'a clear is applied once');
    assert.equal(worker.takeOut(into), 6);
    assert.equal(into[0], 4);
    main.clearOut();
    assert.deepEqual(worker.takeClear(), [], 'a clear of an empty ring drops nothing');
  });

  void it('hands inbound frames over with their kind and drops new ones when the reader falls behind', () => {
    const worker = new SessionMemory();
    const main = new SessionMemory(worker.buffer);
    for (let n = 0; n < IN_SLOTS + 2; n++)
      worker.writeIn(frame(n), n === 1 ? 'concealed' : 'audio');
    assert.equal(main.inDropped, 2);
    const first = main.readIn();
    const second = main.readIn();
    assert.equal(first?.frame[0], 0);
    assert.equal(first?.kind, 'audio');
    assert.equal(second?.kind, 'concealed');
    let count = 2;
    while (main.readIn()) count++;
    assert.equal(count, IN_SLOTS);
  });

  void it('publishes counters', () => {
    const worker = new SessionMemory();
    const stats = {
      packetsSent: 10,
      octetsSent: 1600,
      packetsReceived: 9,
      lost: 1,
      jitterMs: 0.5,
      late: 0,
      duplicates: 0,
      concealed: 1,
      malformed: 2,
      dtmfSent: 0,
      dtmfReceived: 3,
    };
    worker.writeStats(stats);
    assert.deepEqual(new SessionMemory(worker.buffer).readStats(), stats);
  });
});
