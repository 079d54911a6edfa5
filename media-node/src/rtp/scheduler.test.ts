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

  void it('gives sources staggered phases over the period (0, 10, 5, 15 ms)', async () => {
    let fakeNow = 0;
    const scheduler = new PacingScheduler({ now: () => fakeNow });
    const first: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      scheduler.add({ onTick: (now) => void (first[i] ??= now) });
    }
    // Advance the injected clock a millisecond at a time, letting the real timer fire in between.
    for (fakeNow = 0; fakeNow <= 20; fakeNow++) await sleep(22);
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
