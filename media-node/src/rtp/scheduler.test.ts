import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacingScheduler } from './scheduler.js';

void describe('PacingScheduler', () => {
  void it('ticks every source about every 20 ms when nothing else wakes the process', async () => {
    const scheduler = new PacingScheduler();
    const ticks = [0, 0, 0, 0];
    ticks.forEach((_, i) => scheduler.add({ onTick: () => ticks[i]!++ }));
    await sleep(1000); // the only other timer: no sockets or I/O to wake the loop
    scheduler.stop();
    // 50 expected per source; generous bounds for a loaded machine.
    for (const n of ticks) assert.ok(n >= 40 && n <= 52, `ticked ${n} times in one second`);
  });

  void it('spreads sources over the period instead of ticking them together', async () => {
    const scheduler = new PacingScheduler();
    const first: number[] = [];
    for (let i = 0; i < 4; i++) {
      scheduler.add({ onTick: (now) => first[i] ?? (first[i] = now) });
    }
    await sleep(100);
    scheduler.stop();
    const phases = first.map((t) => t - Math.min(...first)).sort((a, b) => a - b);
    // Phases 0, 5, 10 and 15 ms of the 20 ms period.
    for (let i = 1; i < phases.length; i++) {
      assert.ok(
        phases[i]! - phases[i - 1]! > 2,
        `phases ${phases.map((p) => p.toFixed(1)).join(', ')}`,
      );
    }
  });

  void it('stops ticking a removed source', async () => {
    const scheduler = new PacingScheduler();
    let ticks = 0;
    const source = { onTick: () => ticks++ };
    scheduler.add(source);
    await sleep(100);
    scheduler.remove(source);
    const seen = ticks;
    await sleep(100);
    assert.ok(seen > 0);
    assert.equal(ticks, seen);
    assert.equal(scheduler.size, 0);
  });
});
