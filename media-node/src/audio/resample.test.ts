import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rms } from './energy.js';
import { Resampler, resample } from './resample.js';

function sine(freq: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate)),
  );
}

/** Amplitude of `freq` in `x` (single-bin DFT), skipping the filter's start-up. */
function toneAmplitude(x: Int16Array, freq: number, rate: number): number {
  let re = 0;
  let im = 0;
  const from = Math.floor(x.length / 4);
  const to = x.length - Math.floor(x.length / 4);
  for (let i = from; i < to; i++) {
    re += (x[i] ?? 0) * Math.cos((2 * Math.PI * freq * i) / rate);
    im += (x[i] ?? 0) * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

void describe('Resampler', () => {
  const cases = [
    { from: 22050, to: 8000, pass: 1000, stop: 6000 },
    { from: 8000, to: 16000, pass: 1000, stop: undefined },
    { from: 16000, to: 8000, pass: 3000, stop: 5500 },
  ];
  for (const { from, to, pass, stop } of cases) {
    void it(`keeps a ${pass} Hz tone at its level from ${from} Hz to ${to} Hz`, () => {
      const out = resample(sine(pass, from, 1), from, to);
      assert.equal(out.length, to);
      const amplitude = toneAmplitude(out, pass, to);
      assert.ok(Math.abs(amplitude - 10000) < 300, `amplitude ${amplitude.toFixed(0)}`);
    });
    if (stop !== undefined) {
      void it(`removes a ${stop} Hz tone that would alias when going ${from} -> ${to} Hz`, () => {
        const out = resample(sine(stop, from, 1), from, to);
        const level = rms(out.subarray(200, out.length - 200));
        assert.ok(level < 10000 * 0.01, `residual rms ${level.toFixed(1)} (want < -40 dB)`);
      });
    }
  }

  void it('gives the same output whatever the chunk sizes of the stream', () => {
    const input = sine(700, 22050, 0.5);
    const whole = new Resampler(22050, 8000).process(input);
    const streamed = new Resampler(22050, 8000);
    const parts: number[] = [];
    for (let at = 0, size = 1; at < input.length; at += size, size = (size * 7) % 997 || 1) {
      parts.push(...streamed.process(input.subarray(at, at + size)));
    }
    assert.deepEqual(Int16Array.from(parts), whole);
  });

  void it('rejects a non-integer or zero rate with a clear error', () => {
    assert.throws(() => new Resampler(0, 8000), /positive integers/);
    assert.throws(() => new Resampler(22050.5, 8000), /positive integers/);
  });
});
