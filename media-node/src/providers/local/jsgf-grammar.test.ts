import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FRONT_DESK_SCRIPT } from '../scripted/front-desk-script.js';
import { buildJsgfGrammar } from './jsgf-grammar.js';

void it('jsgf grammar holds every example with slots as rules', () => {
  const g = buildJsgfGrammar(FRONT_DESK_SCRIPT, () => true);
  assert.match(g.text, /^#JSGF V1\.0;\ngrammar dialogue;\n/);
  assert.match(g.text, /\( what time do you open on saturday \)/);
  assert.match(g.text, /\( at <slot_time> \)/);
  assert.match(
    g.text,
    /<slot_day> = monday \| tuesday \| wednesday \| thursday \| friday \| saturday;/,
  );
  assert.deepEqual(g.unknownWords, []);
  assert.equal(g.plainPhrase, 'what time do you open on saturday');
});

void it('jsgf grammar leaves out phrases with words the dictionary lacks and says which', () => {
  const g = buildJsgfGrammar(
    {
      fallback: 'f',
      intents: [{ name: 'a', examples: ['book a zorblax', 'book a table'], reply: 'ok' }],
    },
    (w) => w !== 'zorblax',
  );
  assert.deepEqual(g.unknownWords, ['zorblax']);
  assert.equal(g.phrases, 1);
  assert.equal(g.plainPhrase, 'book a table');
  assert.doesNotMatch(g.text, /zorblax/);
});
