import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacingScheduler } from './scheduler.js';

void describe('PacingScheduler', () => {
  void it('ticks every source about every 20 ms when nothing else wakes the process', async () => {
    const scheduler = new PacingScheduler();
    const ticks = [0, 0, 0, 0];
    ticks.forEach((_, i) =>
      scheduler.add({
        onTick: () => ticks[i]!++,
        // Periods skipped because the OS stalled the whole process still count as paced.
        onSkip: (periods) => (ticks[i]! += periods),
      }),
    );
    await sleep(1000); // the only other timer: no sockets or I/O to wake the loop
    scheduler.stop();
    // 50 expected per source; generous bounds for a loaded machine.
    for (const n of ticks) assert.ok(n >= 40 && n <= 52, `ticked ${n} times in one second`);
  });

  void it('gives sources staggered phases over the period (0, 10, 5, 15 ms)', (t) => {
    // The scheduler's clock and its timers move together, a millisecond at a time: no real time
    // passes, so a loaded machine cannot let the clock run ahead of a timer.
    t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] });
    let fakeNow = 0;
    const scheduler = new PacingScheduler({ now: () => fakeNow });
    const first: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      scheduler.add({ onTick: (now) => void (first[i] ??= now) });
    }
    t.mock.timers.tick(0);
    for (fakeNow = 1; fakeNow <= 20; fakeNow++) t.mock.timers.tick(1);
    scheduler.stop();
    assert.deepEqual(first, [0, 10, 5, 15]);
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
