import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SpeechEndLocator } from './speech-end.js';

/** A 20 ms frame: a 440 Hz tone at `toneDbfs` over deterministic noise at `noiseDbfs`. */
function frame(index: number, toneDbfs: number | undefined, noiseDbfs?: number): Int16Array {
  const out = new Int16Array(160);
  let seed = (index + 1) * 7919;
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    if (toneDbfs !== undefined) {
      s +=
        32768 *
        Math.SQRT2 *
        10 ** (toneDbfs / 20) *
        Math.sin((2 * Math.PI * 440 * (index * 160 + i)) / 8000);
    }
    if (noiseDbfs !== undefined) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      s += 32768 * Math.sqrt(3) * 10 ** (noiseDbfs / 20) * (2 * (seed / 2147483648) - 1);
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(s)));
  }
  return out;
}

/** Feeds `pattern` ('v' voice, '.' background) from 0 ms; returns the locator. */
function feed(pattern: string, noiseDbfs?: number): SpeechEndLocator {
  const locator = new SpeechEndLocator();
  [...pattern].forEach((c, i) =>
    locator.push(frame(i, c === 'v' ? -20 : undefined, noiseDbfs), i * 20),
  );
  return locator;
}

void it('speech end: a VAD hangover over digital silence is moved back to where the voice stopped', () => {
  const locator = feed('..........vvvvvvvvvv..........');
  // the voice stops at 400 ms; a VAD still saying speech until 500 ms
  assert.equal(locator.locate(500), 400);
});

void it('speech end: over line noise too, once the floor has settled on the noise', () => {
  const lead = '.'.repeat(100); // 2 s of hiss before the caller speaks
  const locator = feed(`${lead}vvvvvvvvvv..........`, -50);
  assert.equal(locator.locate(2300), 2200);
});

void it('speech end: a caller talking from the first frame is voice, not floor', () => {
  const locator = feed('vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv..........');
  assert.equal(locator.locate(700), 600);
});

void it('speech end: moves back at most maxTrimMs', () => {
  const locator = feed('..........vvvvvvvvvv......................');
  assert.equal(locator.locate(700), 580);
  const strict = new SpeechEndLocator({ maxTrimMs: 40 });
  [...'vvvv....'].forEach((c, i) => strict.push(frame(i, c === 'v' ? -20 : undefined), i * 20));
  assert.equal(strict.locate(140), 100);
});

void it('speech end: never later than the VAD says', () => {
  const locator = feed('..........vvvvvvvvvv');
  assert.equal(locator.locate(300), 300);
});

void it('speech end: keeps the VAD end when noise starts louder than the floor it knows', () => {
  // a quiet line turns noisy at 2.4 s: the floor has not caught up, so every frame looks voiced
  const locator = new SpeechEndLocator();
  for (let i = 0; i < 140; i++) {
    const noisy = i >= 120;
    locator.push(frame(i, i >= 110 && i < 120 ? -20 : undefined, noisy ? -40 : undefined), i * 20);
  }
  assert.equal(locator.locate(2500), 2500);
});
