import assert from 'node:assert/strict';
import { it } from 'node:test';
import { WavStreamDecoder } from './wav-stream.js';

function wav(samples: number[], rate = 22050): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4); // streamed: unknown size, as espeak-ng writes it
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(0xffffffff, 40);
  const body = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => body.writeInt16LE(s, i * 2));
  return Buffer.concat([h, body]);
}

void it('wav stream decoder reads samples split at any byte', () => {
  const bytes = wav([1, -2, 300, -32768, 32767]);
  for (const cut of [3, 20, 44, 45, 47]) {
    const d = new WavStreamDecoder();
    const out = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
    assert.deepEqual(out, [1, -2, 300, -32768, 32767], `cut at ${cut}`);
    assert.equal(d.sampleRate, 22050);
  }
});

void it('wav stream decoder refuses what is not PCM16 mono WAV', () => {
  assert.throws(() => new WavStreamDecoder().push(Buffer.from('ID3 not a wave file')), /RIFF/);
  const stereo = wav([0]);
  stereo.writeUInt16LE(2, 22);
  assert.throws(() => new WavStreamDecoder().push(stereo), /PCM16 mono/);
});
