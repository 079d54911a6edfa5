import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreRollRing, FrameLog } from './caller-audio.js';

const frame = (value: number, length = 160): Int16Array => new Int16Array(length).fill(value);

void describe('caller audio', () => {
  void it('pre-roll keeps the last frames since a time, oldest first, as copies', () => {
    const ring = new PreRollRing(3);
    const reused = frame(0);
    for (let i = 1; i <= 5; i++) {
      reused.fill(i); // the RTP path may reuse or drop its frame after the call
      ring.push(reused, i * 20);
    }
    const log = new FrameLog(10);
    ring.copySince(80, log);
    assert.deepEqual(
      [...log.frames()].map((f) => f[0]),
      [4, 5],
    );
  });

  void it('frame log replays every frame in order up to its limit, odd sizes included', () => {
    const log = new FrameLog(150); // past its first index and its first 1 s block
    for (let i = 0; i < 170; i++) log.push(frame(i, i === 3 ? 80 : 160));
    const frames = [...log.frames()];
    assert.equal(log.length, 150);
    assert.equal(frames.length, 150);
    assert.deepEqual(
      frames.map((f) => f[0]),
      Array.from({ length: 150 }, (_, i) => i),
    );
    assert.equal(frames[3]?.length, 80);
    assert.ok(frames.every((f, i) => f.every((s) => s === i)));
  });
});
