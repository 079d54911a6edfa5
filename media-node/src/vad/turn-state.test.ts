import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  createTurnState,
  defaultPauseMs,
  stepEnd,
  stepOnset,
  type TurnStep,
} from './turn-state.js';

/** Runs a pattern ('s' speech frame, '.' silence) through both steps; returns the events. */
function run(
  pattern: string,
  onsetFrames = 3,
  endOfTurnMs = 100,
  pauseMs: number | undefined = undefined,
): TurnStep[] {
  const state = createTurnState();
  const out: TurnStep[] = [];
  [...pattern].forEach((c, i) => {
    const speech = c === 's';
    const params = { onsetFrames, endOfTurnMs, ...(pauseMs === undefined ? {} : { pauseMs }) };
    const x = stepOnset(state, speech, i * 20, params);
    const y = stepEnd(state, speech, i * 20, params);
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

void it('turn state reports a pause before the end of turn, once per silence', () => {
  assert.deepEqual(run('sss......', 3, 100, 60), [
    { type: 'speech-start', atMs: 0 },
    { type: 'pause', atMs: 60 },
    { type: 'end-of-turn', atMs: 60 },
  ]);
});

void it('turn state reports speech after a pause as a resume, and the turn goes on', () => {
  assert.deepEqual(run('sss...ss.....', 3, 100, 60), [
    { type: 'speech-start', atMs: 0 },
    { type: 'pause', atMs: 60 },
    { type: 'resume', atMs: 120 },
    { type: 'pause', atMs: 160 },
    { type: 'end-of-turn', atMs: 160 },
  ]);
});

void it('turn state without pauseMs reports no pause', () => {
  assert.deepEqual(run('sss......'), [
    { type: 'speech-start', atMs: 0 },
    { type: 'end-of-turn', atMs: 60 },
  ]);
});

void it('default pause comes 200 ms before the end of turn, at most half of it', () => {
  assert.equal(defaultPauseMs(500), 300);
  assert.equal(defaultPauseMs(1000), 800);
  assert.equal(defaultPauseMs(300), 150);
});
