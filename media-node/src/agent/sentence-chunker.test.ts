import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SentenceChunker } from './sentence-chunker.js';

const cases: [string, string[], string[]][] = [
  [
    'splits at sentence ends across deltas',
    ['Sure', '. Which ', 'day would', ' you like?'],
    ['Sure.', 'Which day would you like?'],
  ],
  [
    'keeps decimals and times together',
    ['It costs 3.50 dollars. ', 'Bye'],
    ['It costs 3.50 dollars.', 'Bye'],
  ],
  ['handles one big delta', ['One. Two! Three? Four'], ['One.', 'Two!', 'Three?', 'Four']],
  [
    'cuts very long text at a comma',
    ['a'.repeat(150) + ', ' + 'b'.repeat(100)],
    ['a'.repeat(150) + ',', 'b'.repeat(100)],
  ],
  ['returns nothing for whitespace', ['  ', ' '], []],
];
for (const [name, deltas, sentences] of cases) {
  void it(`sentence chunker ${name}`, () => {
    const c = new SentenceChunker();
    const out = deltas.flatMap((d) => c.push(d));
    const rest = c.flush();
    if (rest) out.push(rest);
    assert.deepEqual(out, sentences);
  });
}
