import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createFrameTurnDetector } from './frame-turn-detector.js';
import type { FrameClassifier } from './types.js';

/** A loud frame (speech to the level-based end locator) and a silent one. */
const loud = new Int16Array(160).map((_, i) => (i % 2 ? 8000 : -8000));
const quiet = new Int16Array(160);

function detector(onset: FrameClassifier) {
  const events: string[] = [];
  const d = createFrameTurnDetector({ onset, endOfTurnMs: 100 })
    .on('speechStart', (at) => events.push(`start ${at}`))
    .on('endOfTurn', (at) => events.push(`end ${at}`));
  return { d, events };
}

it('takes the onset verdict it is given instead of classifying the frame again', () => {
  let classified = 0;
  const { d, events } = detector({ isSpeech: () => (classified++, false) });
  // 5 speech frames, then silence past the end of turn: verdicts given, as from the RTP thread
  for (let i = 0; i < 5; i++) d.push(loud, i * 20, true);
  for (let i = 5; i < 15; i++) d.push(quiet, i * 20, false);
  assert.equal(classified, 0, 'its own classifier never ran');
  assert.deepEqual(events, ['start 0', 'end 100']);
});

it('classifies the frame itself when no verdict comes with it', () => {
  let classified = 0;
  const { d, events } = detector({
    isSpeech: (f) => (classified++, f[0] !== 0),
  });
  for (let i = 0; i < 5; i++) d.push(loud, i * 20);
  for (let i = 5; i < 15; i++) d.push(quiet, i * 20);
  assert.equal(classified, 15);
  assert.deepEqual(events, ['start 0', 'end 100']);
});
