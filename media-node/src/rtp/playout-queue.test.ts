import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulawEncodeSample } from '../audio/g711.js';
import { PCMU } from './codec.js';
import { PlayoutQueue, type TakenFrame } from './playout-queue.js';

/** The next frame's first payload byte and callback, or undefined when empty. */
function next(q: PlayoutQueue): (Pick<TakenFrame, 'onSent'> & { first: number }) | undefined {
  const out: TakenFrame = { payload: new Uint8Array(0), length: 0, onSent: undefined };
  return q.take(out) ? { first: out.payload[0]!, onSent: out.onSent } : undefined;
}

const frame = (v: number): Int16Array => new Int16Array(160).fill(v);

void describe('PlayoutQueue', () => {
  void it('encodes on write so the writer may reuse its buffer', () => {
    const q = new PlayoutQueue(PCMU);
    const buf = frame(1000);
    q.write(buf);
    buf.fill(-1000);
    q.write(buf);
    assert.equal(next(q)?.first, mulawEncodeSample(1000));
    assert.equal(next(q)?.first, mulawEncodeSample(-1000));
    assert.equal(next(q), undefined);
  });

  void it('attaches the first-frame callback to the next frame written only', () => {
    const q = new PlayoutQueue(PCMU);
    q.write(frame(1));
    const cb = (): void => undefined;
    q.onFirstFrameSent(cb);
    q.write(frame(2));
    q.write(frame(3));
    assert.deepEqual(
      [next(q)?.onSent, next(q)?.onSent, next(q)?.onSent],
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
    assert.equal(next(q)?.onSent, undefined);
  });

  void it('keeps order and callbacks while its ring grows and wraps', () => {
    const q = new PlayoutQueue(PCMU);
    const got: number[] = [];
    const withCallback: number[] = [];
    const take = (): boolean => {
      const f = next(q);
      if (!f) return false;
      if (f.onSent) withCallback.push(got.length);
      got.push(f.first);
      return true;
    };
    for (let i = 0; i < 1000; i++) {
      if (i === 500) q.onFirstFrameSent(() => undefined);
      q.write(frame(i * 8));
      if (i % 3 !== 0) take();
    }
    while (take());
    assert.deepEqual(withCallback, [500], 'the callback stayed with its frame through the growth');
    assert.deepEqual(got.slice(0, 5), [0, 8, 16, 24, 32].map(mulawEncodeSample));
    assert.equal(got.length, 1000);
  });
});
