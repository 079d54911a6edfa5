import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SILENCE_DBFS, dbfs, peak, rms } from './energy.js';

void describe('frame energy', () => {
  void it('measures silence, a full-scale square wave and a sine', () => {
    assert.equal(dbfs(new Int16Array(160)), SILENCE_DBFS);
    const square = Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 32767 : -32768));
    assert.ok(Math.abs(dbfs(square)) < 0.01);
    const sine = Int16Array.from({ length: 160 }, (_, i) => Math.round(16384 * Math.sin(i / 4)));
    assert.ok(Math.abs(dbfs(sine) - -9.03) < 0.2, `sine at ${dbfs(sine)}`); // -6 dB - 3 dB
    assert.equal(peak(Int16Array.from([3, -7, 5])), 7);
    assert.equal(rms(new Int16Array(0)), 0);
  });
});
