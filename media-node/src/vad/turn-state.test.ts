import assert from 'node:assert/strict';
import { it } from 'node:test';
import { INITIAL_TURN_STATE, stepEnd, stepOnset, type TurnStep } from './turn-state.js';

/** Runs a pattern ('s' speech frame, '.' silence) through both steps; returns the events. */
function run(pattern: string, onsetFrames = 3, endOfTurnMs = 100): TurnStep[] {
  let state = INITIAL_TURN_STATE;
  const out: TurnStep[] = [];
  [...pattern].forEach((c, i) => {
    const speech = c === 's';
    const [a, x] = stepOnset(state, speech, i * 20, { onsetFrames, endOfTurnMs });
    const [b, y] = stepEnd(a, speech, i * 20, { onsetFrames, endOfTurnMs });
    state = b;
    for (const e of [x, y]) if (e.type !== 'none') out.push(e);
  });
  return out;
}

const cases: [string, string, TurnStep[]][] = [
  ['ignores a click shorter than the onset', '..ss......', []],
  [
    'starts at the first frame of the run',
    '..sss.....',
    [
      { type: 'speech-start', atMs: 40 },
      { type: 'end-of-turn', atMs: 100 },
    ],
  ],
  [
    'keeps the turn across a short pause',
    'sss...sss.....',
    [
      { type: 'speech-start', atMs: 0 },
      { type: 'end-of-turn', atMs: 180 },
    ],
  ],
  ['waits out the full silence', 'sss....', [{ type: 'speech-start', atMs: 0 }]],
];
for (const [name, pattern, events] of cases) {
  void it(`turn state ${name}`, () => assert.deepEqual(run(pattern), events));
}
