import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BargeInCandidate, mayInterrupt, RESUME_AFTER_SILENCE_MS } from './barge-in.js';

/** Frames after the onset: 's' speech, '.' silence; the verdict after the last one. */
function verdicts(minSpeechMs: number, frames: string): string[] {
  const c = new BargeInCandidate(1000, 1060, 1060, minSpeechMs);
  return [...frames].map((f) => c.step(f === 's'));
}

void describe('BargeInCandidate', () => {
  const table: { name: string; min: number; frames: string; last: string; at?: number }[] = [
    {
      name: 'speech that lasts minSpeechMs interrupts',
      min: 300,
      frames: 's'.repeat(12),
      last: 'interrupt',
    },
    { name: 'not one frame before', min: 300, frames: 's'.repeat(11), last: 'wait' },
    {
      name: 'a 160 ms "hello?" then silence resumes after 200 ms of it',
      min: 300,
      frames: 'sssss' + '.'.repeat(RESUME_AFTER_SILENCE_MS / 20),
      last: 'resume',
    },
    {
      name: 'silence shorter than that keeps waiting',
      min: 300,
      frames: 'sssss.........',
      last: 'wait',
    },
    {
      name: 'speech with short gaps between words adds up',
      min: 300,
      frames: 'ssss....ssss....ssss',
      last: 'interrupt',
      at: 19,
    },
    { name: 'a longer minSpeechMs waits longer', min: 500, frames: 's'.repeat(21), last: 'wait' },
  ];
  for (const t of table) {
    void it(t.name, () => {
      const v = verdicts(t.min, t.frames);
      if (t.at === undefined) assert.equal(v.at(-1), t.last);
      else assert.equal(v.indexOf(t.last), t.at);
      assert.ok(!v.slice(0, -1).includes('resume') || t.last === 'resume');
    });
  }

  void it('counts the onset frames as speech', () => {
    assert.equal(new BargeInCandidate(1000, 1060, 1060, 300).speechMs, 60);
    assert.equal(new BargeInCandidate(1000, 1060, 1060, 60).interruptsAtOnset, true);
    assert.equal(new BargeInCandidate(1000, 1060, 1060, 80).interruptsAtOnset, false);
  });
});

void describe('mayInterrupt', () => {
  const table = [
    { greetingInterruptible: true, greetingPlaying: true, expected: true },
    { greetingInterruptible: false, greetingPlaying: true, expected: false },
    { greetingInterruptible: false, greetingPlaying: false, expected: true },
    { greetingInterruptible: true, greetingPlaying: false, expected: true },
  ];
  for (const t of table) {
    void it(`greeting interruptible ${t.greetingInterruptible}, playing ${t.greetingPlaying}`, () => {
      const policy = { minSpeechMs: 300, greetingInterruptible: t.greetingInterruptible };
      assert.equal(mayInterrupt(policy, t.greetingPlaying), t.expected);
    });
  }
});
