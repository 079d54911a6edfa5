import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { mulawDecodeSample, mulawEncodeSample } from './g711.js';
import { WavFormatError, readWav, writeWav } from './wav.js';

const tone = Int16Array.from({ length: 800 }, (_, i) => Math.round(9000 * Math.sin(i / 3)));

void describe('WAV', () => {
  void it('round-trips PCM16 exactly', () => {
    const back = readWav(writeWav(tone, 8000));
    assert.equal(back.sampleRate, 8000);
    assert.equal(back.encoding, 'pcm16');
    assert.deepEqual(back.samples, tone);
  });

  void it('round-trips µ-law to the G.711-quantised samples', () => {
    const back = readWav(writeWav(tone, 8000, 'mulaw'));
    assert.equal(back.encoding, 'mulaw');
    assert.deepEqual(
      back.samples,
      tone.map((s) => mulawDecodeSample(mulawEncodeSample(s))),
    );
  });

  void it('reads a streamed espeak-ng header whose sizes are placeholders', (t) => {
    const run = spawnSync('espeak-ng', ['--stdout', 'hello'], { maxBuffer: 1 << 24 });
    if (run.error) return t.skip('espeak-ng not installed');
    const wav = readWav(run.stdout);
    assert.equal(wav.sampleRate, 22050);
    assert.ok(wav.samples.length > 22050 / 10 && wav.samples.length * 2 <= run.stdout.length);
  });

  void it('mixes stereo down to mono', () => {
    const stereo = writeWav(Int16Array.from([100, 300, -50, -150]), 8000);
    const view = new DataView(stereo.buffer);
    view.setUint16(22, 2, true); // channels = 2, same bytes read as two frames
    const back = readWav(stereo);
    assert.deepEqual(back.samples, Int16Array.from([200, -100]));
  });

  const malformed: [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['a non-RIFF file', new TextEncoder().encode('ID3\u0004 not a wav file at all')],
    ['a file without data', writeWav(tone, 8000).subarray(0, 36)],
  ];
  for (const [name, bytes] of malformed) {
    void it(`rejects ${name} with a WavFormatError`, () => {
      assert.throws(() => readWav(bytes), WavFormatError);
    });
  }
});
