import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallRecorder } from './call-recorder.js';

const frame = (value: number) => new Int16Array(160).fill(value);

describe('CallRecorder', () => {
  it('places frames at their time with silence in between', () => {
    const r = new CallRecorder();
    r.add(frame(100), 0);
    r.add(frame(200), 60);
    const pcm = r.render();
    assert.equal(pcm.length, 4 * 160);
    assert.equal(pcm[0], 100);
    assert.equal(pcm[160], 0);
    assert.equal(pcm[3 * 160], 200);
  });

  it('mixes both sides of the same moment and clips instead of wrapping', () => {
    const r = new CallRecorder();
    r.add(frame(30000), 40);
    r.add(frame(30000), 41);
    assert.equal(r.render()[2 * 160], 32767);
  });

  it('renders an empty call as no samples', () => {
    assert.equal(new CallRecorder().render().length, 0);
  });
});
