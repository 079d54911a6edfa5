import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UtteranceDetector, type UtteranceEvent } from './utterance-detector.js';

const silence = new Int16Array(160);
const speech = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));

function run(pattern: string, silenceMs = 100): UtteranceEvent[] {
  const detector = new UtteranceDetector({ silenceMs });
  const events: UtteranceEvent[] = [];
  [...pattern].forEach((c, i) => {
    const e = detector.push(c === 'S' ? speech : silence, i * 20);
    if (e) events.push(e);
  });
  return events;
}

describe('UtteranceDetector', () => {
  it('reports where speech starts and where it ended once silence lasted long enough', () => {
    assert.deepEqual(run('..SSS......'), [
      { type: 'start', atMs: 40 },
      { type: 'end', atMs: 100, startedAtMs: 40 },
    ]);
  });

  it('keeps one utterance across a pause shorter than the silence bound', () => {
    assert.deepEqual(run('SS...SS.......'), [
      { type: 'start', atMs: 0 },
      { type: 'end', atMs: 140, startedAtMs: 0 },
    ]);
  });

  it('reports nothing for silence only, and no end while speech goes on', () => {
    assert.deepEqual(run('........'), []);
    assert.deepEqual(run('SSSSSSSS'), [{ type: 'start', atMs: 0 }]);
  });

  it('cuts an utterance in progress, so speech right after is a new utterance', () => {
    const detector = new UtteranceDetector({ silenceMs: 100 });
    assert.equal(detector.cut(0), undefined, 'nothing to cut in silence');
    detector.push(speech, 0);
    detector.push(speech, 20);
    assert.deepEqual(detector.cut(30), { type: 'end', atMs: 30, startedAtMs: 0 });
    assert.deepEqual(detector.push(speech, 40), { type: 'start', atMs: 40 });
  });

  it('ends an utterance on time passing when the far end stops sending packets', () => {
    const detector = new UtteranceDetector({ silenceMs: 100 });
    detector.push(speech, 0);
    assert.equal(detector.tick(50), undefined);
    assert.deepEqual(detector.tick(120), { type: 'end', atMs: 20, startedAtMs: 0 });
    assert.equal(detector.speaking, false);
  });
});
