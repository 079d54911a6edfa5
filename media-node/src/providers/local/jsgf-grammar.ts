/**
 * Builds the JSGF grammar pocketsphinx decodes with from a dialogue script: every example, with
 * `{slot}` as a rule of the slot's values, plus each slot alone. Words missing from the
 * pronunciation dictionary are reported and their phrases left out (pocketsphinx refuses them).
 */
import type { DialogueScript } from '../pipeline-config.js';
import { normalizeWords } from '../scripted/normalize.js';

export interface JsgfGrammar {
  text: string;
  /** Words the dictionary does not know; the phrases using them were left out. */
  unknownWords: string[];
  phrases: number;
  /** The first phrase without slots (words only), to warm a decoder up with; absent if none. */
  plainPhrase: string | undefined;
}

const SLOT = /^\{([a-z0-9_-]+)\}$/i;
const ruleName = (slot: string): string => `slot_${slot.replace(/[^a-z0-9_]/gi, '_')}`;

export function buildJsgfGrammar(
  script: DialogueScript,
  knows: (word: string) => boolean,
): JsgfGrammar {
  const unknown = new Set<string>();
  const checked = (words: string[]): string[] | undefined => {
    const missing = words.filter((w) => !knows(w));
    for (const w of missing) unknown.add(w);
    return missing.length === 0 && words.length > 0 ? words : undefined;
  };
  const slotRules: string[] = [];
  const usable = new Set<string>();
  for (const [slot, values] of Object.entries(script.slots ?? {})) {
    const alternatives = values
      .map((v) => checked(normalizeWords(v)))
      .filter((v) => v !== undefined);
    if (alternatives.length === 0) continue;
    usable.add(slot);
    slotRules.push(`<${ruleName(slot)}> = ${alternatives.map((a) => a.join(' ')).join(' | ')};`);
  }
  const phrases = new Set<string>();
  for (const intent of script.intents) {
    for (const example of intent.examples) {
      const parts: string[] = [];
      let ok = true;
      for (const part of example.split(/\s+/).filter((p) => p.length > 0)) {
        const slot = SLOT.exec(part)?.[1];
        if (slot !== undefined) {
          if (!usable.has(slot)) ok = false;
          parts.push(`<${ruleName(slot)}>`);
          continue;
        }
        const words = checked(normalizeWords(part));
        if (words) parts.push(...words);
        else if (normalizeWords(part).length > 0) ok = false;
      }
      if (ok && parts.length > 0) phrases.add(parts.join(' '));
    }
  }
  for (const slot of usable) phrases.add(`<${ruleName(slot)}>`);
  const alternatives = [...phrases];
  const text = [
    '#JSGF V1.0;',
    'grammar dialogue;',
    `public <utterance> = ${alternatives.length > 0 ? alternatives.map((p) => `( ${p} )`).join(' | ') : '<NULL>'};`,
    ...slotRules,
    '',
  ].join('\n');
  const plainPhrase = alternatives.find((p) => !p.includes('<'));
  return { text, unknownWords: [...unknown].sort(), phrases: alternatives.length, plainPhrase };
}
