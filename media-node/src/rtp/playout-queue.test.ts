import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulawEncodeSample } from '../audio/g711.js';
import { PCMU } from './codec.js';
import { PlayoutQueue } from './playout-queue.js';

const frame = (v: number): Int16Array => new Int16Array(160).fill(v);

void describe('PlayoutQueue', () => {
  void it('encodes on write so the writer may reuse its buffer', () => {
    const q = new PlayoutQueue(PCMU);
    const buf = frame(1000);
    q.write(buf);
    buf.fill(-1000);
    q.write(buf);
    assert.equal(q.shift()?.payload[0], mulawEncodeSample(1000));
    assert.equal(q.shift()?.payload[0], mulawEncodeSample(-1000));
    assert.equal(q.shift(), undefined);
  });

  void it('attaches the first-frame callback to the next frame written only', () => {
    const q = new PlayoutQueue(PCMU);
    q.write(frame(1));
    const cb = (): void => undefined;
    q.onFirstFrameSent(cb);
    q.write(frame(2));
    q.write(frame(3));
    assert.deepEqual(
      [q.shift()?.onSent, q.shift()?.onSent, q.shift()?.onSent],
      [undefined, cb, undefined],
    );
  });

  void it('drops queued frames and a pending callback on clear', () => {
    const q = new PlayoutQueue(PCMU);
    q.onFirstFrameSent(() => undefined);
    q.clear();
    for (let i = 0; i < 300; i++) q.write(frame(i));
    assert.equal(q.length, 300);
    q.clear();
    assert.equal(q.length, 0);
    q.write(frame(5));
    assert.equal(q.shift()?.onSent, undefined);
  });

  void it('keeps order across its internal compaction', () => {
    const q = new PlayoutQueue(PCMU);
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) {
      q.write(frame(i * 8));
      if (i % 3 !== 0) got.push(q.shift()!.payload[0]!);
    }
    while (q.length) got.push(q.shift()!.payload[0]!);
    assert.deepEqual(got.slice(0, 5), [0, 8, 16, 24, 32].map(mulawEncodeSample));
    assert.equal(got.length, 1000);
  });
});
