import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pcmView } from './proto.js';

void describe('pcmView', () => {
  void it('reads little-endian PCM16 as a view when aligned, as a copy when not', () => {
    const bytes = Buffer.alloc(9);
    bytes.writeInt16LE(-2, 1);
    bytes.writeInt16LE(300, 3);
    const aligned = Buffer.from(bytes.subarray(1)); // own memory, even offset
    const view = pcmView(aligned);
    assert.deepEqual([...view.subarray(0, 2)], [-2, 300]);
    assert.equal(view.buffer, aligned.buffer);
    const odd = bytes.subarray(1);
    assert.equal(odd.byteOffset % 2, 1);
    const copy = pcmView(odd);
    assert.deepEqual([...copy], [-2, 300, 0, 0], 'a trailing odd byte is dropped');
    assert.notEqual(copy.buffer, odd.buffer);
  });
});
