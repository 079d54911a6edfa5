import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeldReply } from './held-reply.js';
import type { AudioSink } from './types.js';

interface Written {
  first: number;
  onSent: boolean;
}

function target(): { sink: AudioSink; written: Written[] } {
  const written: Written[] = [];
  return {
    written,
    sink: {
      write: (frame, onSent) => written.push({ first: frame[0]!, onSent: onSent !== undefined }),
      clear: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
    },
  };
}

void describe('HeldReply', () => {
  void it('holds copies of what is written and releases them in order, callback included', async () => {
    const t = target();
    const reply = new HeldReply(t.sink);
    const reused = new Int16Array(160);
    for (let i = 0; i < 120; i++) {
      reused.fill(i); // the speech output cuts frames into one reused buffer
      reply.sink.write(reused, i === 0 ? () => undefined : undefined);
    }
    assert.equal(reply.heldFrames, 120);
    assert.deepEqual(t.written, [], 'nothing goes out while held');
    reply.release();
    reply.sink.write(reused.fill(500)); // after release: straight through
    const expected = Array.from({ length: 121 }, (_, i) => (i < 120 ? i : 500));
    assert.deepEqual(
      t.written.map((w: Written) => w.first),
      expected,
    );
    const withCallback: number[] = [];
    t.written.forEach((w: Written, i) => w.onSent && withCallback.push(i));
    assert.deepEqual(withCallback, [0], 'the first frame keeps its sent callback');
    assert.equal(await reply.decided, true);
  });

  void it('a dropped reply sends nothing, then or later', async () => {
    const t = target();
    const reply = new HeldReply(t.sink);
    reply.sink.write(new Int16Array(160).fill(7));
    reply.drop();
    reply.sink.write(new Int16Array(160).fill(8));
    reply.release();
    assert.deepEqual(t.written, []);
    assert.equal(await reply.decided, false);
  });
});
