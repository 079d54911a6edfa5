import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  FRAME_KINDS,
  MAX_HOLD,
  inboundTag,
  tagHold,
  tagKind,
  tagSpeech,
} from './session-memory.js';

it('an inbound tag carries the kind, the hold and the onset verdict apart', () => {
  for (const kind of FRAME_KINDS)
    for (const hold of [0, 1, 12345, MAX_HOLD - 1])
      for (const speech of [undefined, false, true]) {
        const tag = inboundTag(kind, hold, speech);
        const what = `${kind} hold ${hold} speech ${speech}`;
        assert.ok(tag >= 0 && tag <= 0x7fffffff, `${what}: a positive int32`);
        assert.equal(tagKind(tag), kind, what);
        assert.equal(tagHold(tag), hold, what);
        assert.equal(tagSpeech(tag), speech, what);
      }
});
