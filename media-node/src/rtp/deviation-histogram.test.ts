import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviationHistogram } from './deviation-histogram.js';

void describe('DeviationHistogram', () => {
  void it('gives percentiles at 0.1 ms resolution, and since a snapshot', () => {
    const h = new DeviationHistogram(new SharedArrayBuffer(DeviationHistogram.BYTES));
    for (let i = 0; i < 99; i++) h.record(0.25);
    h.record(12.34);
    assert.deepEqual(h.stats(), { samples: 100, p50: 0.3, p99: 0.3, max: 12.34 });
    const since = h.snapshot();
    for (let i = 0; i < 10; i++) h.record(4.05);
    const later = h.stats(since);
    assert.equal(later.samples, 10);
    assert.equal(later.p99, 4.1);
    assert.ok(Math.abs(later.max - 4.1) < 1e-9, 'max since the snapshot, not all time');
  });

  void it('counts below Prometheus bucket bounds, and deviations past 100 ms', () => {
    const h = new DeviationHistogram();
    h.record(0.2);
    h.record(0.7);
    h.record(4.9);
    h.record(250);
    assert.deepEqual(h.cumulativeBelow([0.5, 1, 5, 50]), [1, 2, 3, 3]);
    assert.equal(h.stats().max, 250);
    assert.equal(h.stats().p99, 250);
    assert.ok(Math.abs(h.sumMs - 255.8) < 1e-9);
  });

  void it('a second view of the same memory reads what the first wrote', () => {
    const writer = new DeviationHistogram(new SharedArrayBuffer(DeviationHistogram.BYTES));
    const reader = new DeviationHistogram(writer.buffer);
    writer.record(1.5);
    assert.equal(reader.stats().samples, 1);
    assert.throws(() => new DeviationHistogram(new ArrayBuffer(16)), /needs \d+ bytes/);
  });
});
