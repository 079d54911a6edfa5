import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readWav } from '@voicefleet/media-node/audio';
import { CallRecorder, callWav } from './call-recorder.js';

const frame = (value: number) => new Int16Array(160).fill(value);

describe('CallRecorder', () => {
  it('places each side at its time, with silence in between and on the other side', () => {
    const r = new CallRecorder();
    r.add('you', frame(100), 0);
    r.add('agent', frame(200), 60);
    const { you, agent } = r.render();
    assert.equal(you.length, 4 * 160);
    assert.equal(agent.length, 4 * 160);
    assert.deepEqual([you[0], you[160], you[3 * 160]], [100, 0, 0]);
    assert.deepEqual([agent[0], agent[3 * 160]], [0, 200]);
  });

  it('mixes two frames of one side in the same slot and clips instead of wrapping', () => {
    const r = new CallRecorder();
    r.add('agent', frame(30000), 40);
    r.add('agent', frame(30000), 41);
    assert.equal(r.render().agent[2 * 160], 32767);
  });

  it('renders an empty call as no samples', () => {
    assert.deepEqual(new CallRecorder().render(), {
      you: new Int16Array(0),
      agent: new Int16Array(0),
    });
  });
});

describe('callWav', () => {
  it('writes a stereo 8 kHz WAV: left you, right the agent', () => {
    const r = new CallRecorder();
    r.add('you', frame(1000), 0);
    r.add('agent', frame(-3000), 20);
    const wav = callWav(r.render(), 8000);
    const read = readWav(wav);
    assert.equal(read.channels, 2);
    assert.equal(read.sampleRate, 8000);
    assert.equal(read.samples.length, 2 * 160, 'two frames of time, not four');
    const view = new DataView(wav.buffer, wav.byteOffset);
    assert.deepEqual(
      [view.getInt16(44, true), view.getInt16(46, true)],
      [1000, 0],
      'first frame: you on the left, the agent silent on the right',
    );
    assert.deepEqual(
      [view.getInt16(44 + 160 * 4, true), view.getInt16(46 + 160 * 4, true)],
      [0, -3000],
      'second frame: the agent on the right',
    );
  });
});
