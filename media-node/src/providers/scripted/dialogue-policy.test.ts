import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideReply,
  INITIAL_DIALOGUE_STATE,
  replayDialogue,
  validateScript,
} from './dialogue-policy.js';
import { FRONT_DESK_SCRIPT } from './front-desk-script.js';

const script = FRONT_DESK_SCRIPT;

void describe('scripted dialogue policy', () => {
  const cases: [string, string[], string, string | undefined, string | undefined][] = [
    // [case, earlier turns, utterance, intent, action]
    ['answers the hours question', [], 'what time do you open on saturday', 'hours', undefined],
    ['tolerates filler words', [], 'um hi what are your opening hours please', 'hours', undefined],
    ['starts a booking', [], 'I would like to book an appointment.', 'book', undefined],
    [
      'takes the day right after booking',
      ['i would like to book an appointment'],
      'monday',
      'book-day',
      undefined,
    ],
    [
      'takes the time after the day',
      ['i would like to book an appointment', 'tuesday'],
      'at ten',
      'book-time',
      undefined,
    ],
    ['ignores a follow-up step out of order', [], 'monday', undefined, undefined],
    ['transfers to a person', [], 'i want to talk to a person', 'human', 'transfer'],
    ['hangs up on goodbye', [], 'goodbye', 'bye', 'hangup'],
    ['falls back on unrelated speech', [], 'the weather is lovely', undefined, undefined],
    ['falls back on empty input', [], '', undefined, undefined],
  ];
  for (const [name, earlier, utterance, intent, action] of cases) {
    void it(name, () => {
      const d = decideReply(script, replayDialogue(script, earlier), utterance);
      assert.equal(d.intent, intent);
      assert.equal(d.action, action);
      if (intent === undefined) assert.equal(d.reply, script.fallback);
    });
  }

  void it('fills reply slots from earlier turns', () => {
    const state = replayDialogue(script, ['i would like to book an appointment', 'on friday']);
    const d = decideReply(script, state, 'eleven');
    assert.equal(d.reply, 'You are booked for friday at eleven. Anything else?');
  });

  void it('keeps the step after a fallback so the caller can retry', () => {
    const state = replayDialogue(script, ['i would like to book an appointment', 'mumble mumble']);
    assert.equal(state.lastIntent, 'book');
    assert.equal(decideReply(script, state, 'saturday').intent, 'book-day');
  });

  void it('treats DTMF digits as their words', () => {
    const s = { fallback: 'f', intents: [{ name: 'menu', examples: ['one'], reply: 'ok' }] };
    assert.equal(decideReply(s, INITIAL_DIALOGUE_STATE, '1').intent, 'menu');
  });

  void it('reports script problems a user must fix', () => {
    const problems = validateScript({
      fallback: '',
      intents: [{ name: 'a', after: 'missing', examples: ['{nope}'], reply: 'x' }],
    });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /after "missing"/);
    assert.match(problems.join('\n'), /slot \{nope\}/);
  });
});
