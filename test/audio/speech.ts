/**
 * Test audio rendered at test time: espeak-ng speech as headerless µ-law (what sipp's
 * `rtp_stream` plays) or as 8 kHz PCM16, and pocketsphinx recognition of what a caller heard,
 * constrained by a grammar of the phrases the script can say.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MODEL = '/usr/share/pocketsphinx/model/en-us';

/** Renders `text` with espeak-ng into `dir/<name>.ulaw` (8 kHz, mono, no header). */
export async function renderUlaw(dir: string, name: string, text: string): Promise<string> {
  const wav = join(dir, `${name}.wav`);
  const out = join(dir, `${name}.ulaw`);
  await run('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
  await run('sox', [wav, '-r', '8000', '-c', '1', '-t', 'raw', '-e', 'u-law', out]);
  return out;
}

/** Renders `text` as 8 kHz PCM16 samples. */
export async function renderPcm8k(dir: string, name: string, text: string): Promise<Int16Array> {
  const wav = join(dir, `${name}.wav`);
  const raw = join(dir, `${name}.s16`);
  await run('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
  await run('sox', [wav, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed', '-t', 'raw', raw]);
  const bytes = await readFile(raw);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1).slice();
}

/** Words of a phrase as pocketsphinx's dictionary spells them. */
function words(phrase: string): string {
  return phrase
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const RECOGNISE_PY = `
import sys
from pocketsphinx.pocketsphinx import Decoder
c = Decoder.default_config()
c.set_string('-hmm', '${MODEL}/en-us')
c.set_string('-dict', '${MODEL}/cmudict-en-us.dict')
c.set_string('-jsgf', sys.argv[1])
c.set_string('-logfn', '/dev/null')
d = Decoder(c)
data = open(sys.argv[2], 'rb').read()
d.start_utt(); d.process_raw(data, False, True); d.end_utt()
print(d.hyp().hypstr if d.hyp() else '')
`;

/**
 * Recognises 8 kHz PCM16 speech against a grammar of `phrases` (words missing from the
 * dictionary must not appear in them). Returns the hypothesis, '' when nothing matched.
 */
export async function recognise(
  dir: string,
  pcm8k: Int16Array,
  phrases: readonly string[],
): Promise<string> {
  const raw8 = join(dir, `heard-${process.hrtime.bigint()}.s16`);
  const raw16 = `${raw8}.16k`;
  const grammar = join(dir, 'replies.gram');
  const script = join(dir, 'recognise.py');
  await writeFile(raw8, Buffer.from(pcm8k.buffer, pcm8k.byteOffset, pcm8k.byteLength));
  await run('sox', [
    '-t',
    'raw',
    '-e',
    'signed',
    '-b',
    '16',
    '-r',
    '8000',
    '-c',
    '1',
    raw8,
    '-r',
    '16000',
    '-t',
    'raw',
    raw16,
  ]);
  const rules = phrases.map((p, i) => `<p${i}> = ${words(p)};`).join('\n');
  const alternatives = phrases.map((_, i) => `<p${i}>`).join(' | ');
  await writeFile(
    grammar,
    `#JSGF V1.0;\ngrammar replies;\npublic <reply> = ${alternatives};\n${rules}\n`,
  );
  await writeFile(script, RECOGNISE_PY);
  const { stdout } = await run('/usr/bin/python3', [script, grammar, raw16], { timeout: 60_000 });
  return stdout.trim();
}

/** Normalised form of a scripted line, for comparison with a hypothesis. */
export function normalisePhrase(phrase: string): string {
  return words(phrase);
}

/** Renders `text` followed by `silenceSeconds` of silence as headerless µ-law (a looping turn). */
export async function renderTurnUlaw(
  dir: string,
  name: string,
  text: string,
  silenceSeconds: number,
): Promise<string> {
  const wav = join(dir, `${name}.wav`);
  const out = join(dir, `${name}.ulaw`);
  await run('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
  await run('sox', [
    wav,
    '-r',
    '8000',
    '-c',
    '1',
    '-t',
    'raw',
    '-e',
    'u-law',
    out,
    'pad',
    '0',
    String(silenceSeconds),
  ]);
  return out;
}
