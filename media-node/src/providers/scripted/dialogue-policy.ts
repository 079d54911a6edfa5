/**
 * The scripted dialogue policy, pure: given the script, the state and what the caller said, pick
 * an intent by normalised word overlap, capture `{slot}` values and render the reply.
 */
import type { DialogueIntent, DialogueScript } from '../pipeline-config.js';
import { normalizeWords } from './normalize.js';

export interface DialogueState {
  /** The intent matched last (fallbacks keep it, so the caller can retry a step). */
  lastIntent: string | undefined;
  slots: Readonly<Record<string, string>>;
}

export interface DialogueDecision {
  state: DialogueState;
  /** undefined when the fallback was used. */
  intent: string | undefined;
  reply: string;
  action: 'hangup' | 'transfer' | undefined;
  score: number;
}

export const INITIAL_DIALOGUE_STATE: DialogueState = { lastIntent: undefined, slots: {} };

const MATCH_THRESHOLD = 0.5;
const SLOT = /^\{([a-z0-9_-]+)\}$/i;

interface ExampleMatch {
  score: number;
  captured: Record<string, string>;
}

/** A script with its examples and slot values already split into normalised words. */
interface CompiledScript {
  /** Per example: its slots (by name) and its distinct words, in order. */
  examples: Map<string, { slots: string[]; words: string[] }>;
  /** Per slot: its values with their words. */
  slotValues: Map<string, { value: string; words: string[] }[]>;
}

// Every reply replays the caller's turns through the script: compile it once.
const compiledScripts = new WeakMap<DialogueScript, CompiledScript>();

function compile(script: DialogueScript): CompiledScript {
  let compiled = compiledScripts.get(script);
  if (compiled) return compiled;
  compiled = { examples: new Map(), slotValues: new Map() };
  for (const intent of script.intents) {
    for (const example of intent.examples) {
      const slots: string[] = [];
      const words = new Set<string>();
      for (const part of example.split(/\s+/)) {
        if (part.length === 0) continue;
        const slot = SLOT.exec(part)?.[1];
        if (slot !== undefined) slots.push(slot);
        else for (const w of normalizeWords(part)) words.add(w);
      }
      compiled.examples.set(example, { slots, words: [...words] });
    }
  }
  for (const [slot, values] of Object.entries(script.slots ?? {})) {
    compiled.slotValues.set(
      slot,
      values.map((value) => ({ value, words: normalizeWords(value) })),
    );
  }
  compiledScripts.set(script, compiled);
  return compiled;
}

/** Finds a slot value (possibly several words) inside the utterance; returns its word count. */
function findSlotValue(
  words: readonly string[],
  values: readonly { value: string; words: string[] }[],
): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const { value, words: valueWords } of values) {
    if (valueWords.length === 0) continue;
    for (let i = 0; i + valueWords.length <= words.length; i++) {
      if (valueWords.every((w, k) => words[i + k] === w)) {
        if (!best || valueWords.length > best[1]) best = [value, valueWords.length];
      }
    }
  }
  return best;
}

function matchExample(
  example: string,
  words: readonly string[],
  utterance: ReadonlySet<string>,
  script: CompiledScript,
): ExampleMatch | undefined {
  const parts = script.examples.get(example);
  if (!parts) return undefined;
  let matched = 0;
  let slotWords = 0;
  const captured: Record<string, string> = {};
  for (const slot of parts.slots) {
    const found = findSlotValue(words, script.slotValues.get(slot) ?? []);
    if (!found) return undefined;
    captured[slot] = found[0];
    matched += 1;
    slotWords += found[1];
  }
  for (const w of parts.words) if (utterance.has(w)) matched += 1;
  const exampleSize = parts.slots.length + parts.words.length;
  if (exampleSize === 0 || utterance.size === 0) return undefined;
  const utteranceSize = Math.max(1, utterance.size - slotWords + Object.keys(captured).length);
  const recall = matched / exampleSize;
  const precision = Math.min(1, matched / utteranceSize);
  return { score: 0.7 * recall + 0.3 * precision, captured };
}

function replySlots(reply: string): string[] {
  return [...reply.matchAll(/\{([a-z0-9_-]+)\}/gi)].map((m) => m[1] ?? '');
}

function render(reply: string, slots: Readonly<Record<string, string>>): string {
  return reply.replace(/\{([a-z0-9_-]+)\}/gi, (_, name: string) => slots[name] ?? '');
}

function eligible(intent: DialogueIntent, state: DialogueState): boolean {
  return intent.after === undefined || intent.after === state.lastIntent;
}

/** Picks the reply to one caller utterance. */
export function decideReply(
  script: DialogueScript,
  state: DialogueState,
  utterance: string,
): DialogueDecision {
  const words = normalizeWords(utterance);
  const heard = new Set(words);
  const compiled = compile(script);
  let best: { intent: DialogueIntent; match: ExampleMatch; rank: number } | undefined;
  for (const intent of script.intents) {
    if (!eligible(intent, state)) continue;
    for (const example of intent.examples) {
      const match = matchExample(example, words, heard, compiled);
      if (!match || match.score < MATCH_THRESHOLD) continue;
      const slots = { ...state.slots, ...match.captured };
      if (!replySlots(intent.reply).every((s) => slots[s] !== undefined)) continue;
      // A follow-up step wins a tie over a top-level intent.
      const rank = match.score + (intent.after !== undefined ? 0.01 : 0);
      if (!best || rank > best.rank) best = { intent, match, rank };
    }
  }
  if (!best) {
    return { state, intent: undefined, reply: script.fallback, action: undefined, score: 0 };
  }
  const slots = { ...state.slots, ...best.match.captured };
  return {
    state: { lastIntent: best.intent.name, slots },
    intent: best.intent.name,
    reply: render(best.intent.reply, slots),
    action: best.intent.action,
    score: best.match.score,
  };
}

/** Replays the caller's turns to rebuild the state (the policy keeps no memory of its own). */
export function replayDialogue(
  script: DialogueScript,
  callerTurns: readonly string[],
): DialogueState {
  let state = INITIAL_DIALOGUE_STATE;
  for (const turn of callerTurns) state = decideReply(script, state, turn).state;
  return state;
}

/** Problems a user must fix in a script; empty when it is usable. */
export function validateScript(script: DialogueScript): string[] {
  const problems: string[] = [];
  const names = new Set(script.intents.map((i) => i.name));
  if (script.fallback.trim() === '') problems.push('script.fallback must not be empty');
  if (script.intents.length === 0) problems.push('script.intents needs at least one intent');
  for (const intent of script.intents) {
    if (intent.after !== undefined && !names.has(intent.after)) {
      problems.push(
        `intent "${intent.name}": after "${intent.after}" names no intent in the script`,
      );
    }
    if (intent.examples.length === 0)
      problems.push(`intent "${intent.name}" needs at least one example`);
    for (const example of intent.examples) {
      for (const m of example.matchAll(/\{([^}]*)\}/g)) {
        const slot = m[1] ?? '';
        if (!script.slots?.[slot]?.length) {
          problems.push(
            `intent "${intent.name}": example uses slot {${slot}} that script.slots does not define`,
          );
        }
      }
    }
  }
  return problems;
}
