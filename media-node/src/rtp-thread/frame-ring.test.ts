import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameRing, frameRingBytes } from './frame-ring.js';

const frame = (n: number): Int16Array => new Int16Array(160).fill(n);

/** A producer's and a consumer's view of one ring, as the two threads hold them. */
function ring(slots: number, start = 0) {
  const buffer = new SharedArrayBuffer(8 + frameRingBytes(slots));
  new Int32Array(buffer, 8, 2).fill(start); // both indices, as after `start` frames
  return { producer: new FrameRing(buffer, 8, slots), consumer: new FrameRing(buffer, 8, slots) };
}

function drain(r: FrameRing): { first: number; tag: number; at: number }[] {
  const out = [];
  for (let slot = r.peek(); slot >= 0; slot = r.peek()) {
    out.push({ first: r.frame(slot)[0]!, tag: r.tag(slot), at: r.time(slot) });
    r.release();
  }
  return out;
}

describe('frame ring', () => {
  it('hands frames, tags and times across in order, and refuses a frame when full', () => {
    const { producer, consumer } = ring(4);
    for (let i = 1; i <= 4; i++) assert.equal(producer.write(frame(i), i * 10, i + 0.5), true);
    assert.equal(producer.write(frame(5), 50, 5.5), false, 'a full ring takes nothing');
    assert.equal(consumer.length, 4);
    assert.deepEqual(drain(consumer), [
      { first: 1, tag: 10, at: 1.5 },
      { first: 2, tag: 20, at: 2.5 },
      { first: 3, tag: 30, at: 3.5 },
      { first: 4, tag: 40, at: 4.5 },
    ]);
    assert.equal(producer.write(frame(5), 50, 5.5), true, 'read slots are free again');
    assert.deepEqual(drain(consumer), [{ first: 5, tag: 50, at: 5.5 }]);
  });

  it('copies the frame: the writer may reuse its buffer at once', () => {
    const { producer, consumer } = ring(4);
    const f = frame(7);
    producer.write(f, 0, 0);
    f.fill(9);
    assert.equal(consumer.frame(consumer.peek())[0], 7);
  });

  it('skipTo drops the frames written before a mark and keeps the later ones', () => {
    const { producer, consumer } = ring(8);
    for (let i = 1; i <= 3; i++) producer.write(frame(i), 0, 0);
    const mark = producer.writeIndex;
    producer.write(frame(4), 0, 0);
    consumer.skipTo(mark);
    assert.deepEqual(
      drain(consumer).map((f) => f.first),
      [4],
    );
    consumer.skipTo(mark); // a mark already passed moves nothing back
    producer.write(frame(5), 0, 0);
    assert.deepEqual(
      drain(consumer).map((f) => f.first),
      [5],
    );
  });

  it('keeps working when its indices wrap past 2^31', () => {
    const { producer, consumer } = ring(4, 0x7ffffffe);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) assert.ok(producer.write(frame(round * 3 + i), 0, 0));
      assert.equal(consumer.length, 3);
      assert.deepEqual(
        drain(consumer).map((f) => f.first),
        [round * 3, round * 3 + 1, round * 3 + 2],
      );
    }
    const mark = producer.writeIndex;
    producer.write(frame(1), 0, 0);
    producer.write(frame(2), 0, 0);
    consumer.skipTo(mark);
    assert.equal(consumer.length, 2, 'skipTo across the wrap keeps what came after the mark');
  });

  it('wants a power-of-two number of slots', () => {
    assert.throws(() => ring(6), /power-of-two/);
  });
});
