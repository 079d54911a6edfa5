/** Word normalisation shared by the dialogue policy and the speech grammar. */

const DIGIT_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];

/** Lower case words without punctuation; digits become words ("1" -> "one"), `*` -> "star". */
export function normalizeWords(text: string): string[] {
  const spaced = text
    .toLowerCase()
    .replace(/\d/g, (d) => ` ${DIGIT_WORDS[Number(d)] ?? d} `)
    .replace(/\*/g, ' star ')
    .replace(/#/g, ' pound ')
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/'/g, '');
  return spaced.split(/\s+/).filter((w) => w.length > 0);
}
