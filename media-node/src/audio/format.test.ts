import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_SAMPLES, FrameChunker } from './format.js';

const ramp = (from: number, length: number): Int16Array =>
  Int16Array.from({ length }, (_, i) => from + i);

void describe('FrameChunker', () => {
  void it('push and split cut the same frames from chunks of any size', () => {
    const chunks = [ramp(0, 100), ramp(100, 160), ramp(260, 400), ramp(660, 20), ramp(680, 3)];
    const pushed = new FrameChunker();
    const split = new FrameChunker();
    const fromPush = chunks.flatMap((c) => pushed.push(c).map((f) => [...f]));
    const fromSplit: number[][] = [];
    for (const c of chunks) split.split(c, (f) => fromSplit.push([...f]));
    assert.deepEqual(fromSplit, fromPush);
    assert.equal(fromSplit.length, 4);
    assert.deepEqual(fromSplit.flat(), [...ramp(0, 4 * FRAME_SAMPLES)]);
    assert.deepEqual([...split.flush()!.subarray(0, 43)], [...ramp(640, 43)], 'the rest on flush');
  });

  void it('split hands out views of whole frames inside a chunk, copying nothing', () => {
    const chunk = ramp(0, 2 * FRAME_SAMPLES);
    const frames: Int16Array[] = [];
    new FrameChunker().split(chunk, (f) => frames.push(f));
    assert.equal(frames.length, 2);
    assert.ok(frames.every((f) => f.buffer === chunk.buffer));
  });
});
