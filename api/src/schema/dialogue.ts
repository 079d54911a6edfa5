/** The scripted dialogue: an offline LLM stand-in made of intents, slots and replies. */
import { Type, type Static } from '@sinclair/typebox';
import { cel } from './cel.js';
import { StringEnum } from './common.js';

export const INTENT_ACTIONS = ['transfer', 'hangup'] as const;
export type IntentAction = (typeof INTENT_ACTIONS)[number];

const INTENT_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

export const Intent = Type.Object(
  {
    name: Type.String({
      pattern: INTENT_NAME,
      maxLength: 63,
      description: 'Name of the intent, unique inside the script (lowercase, dashes).',
    }),
    after: Type.Optional(
      Type.String({
        pattern: INTENT_NAME,
        maxLength: 63,
        description:
          'Only match right after the named intent replied (e.g. book-day after book). ' +
          'Must name another intent of this script.',
      }),
    ),
    examples: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
      minItems: 1,
      maxItems: 50,
      description:
        'Phrases the caller may say for this intent. {slot} captures one value of the named slot, ' +
        'e.g. "at {time}".',
    }),
    reply: Type.String({
      maxLength: 2000,
      description: 'What the agent says. {slot} is replaced by the value captured in this call.',
    }),
    action: Type.Optional(
      StringEnum(INTENT_ACTIONS, {
        description: 'What happens after the reply: transfer (to spec.transfer.target) or hangup.',
      }),
    ),
  },
  { additionalProperties: false, description: 'One thing the caller may want and how to answer.' },
);
export type Intent = Static<typeof Intent>;

export const ScriptedDialogue = Type.Object(
  {
    fallback: Type.String({
      maxLength: 2000,
      description: 'What the agent says when no intent matches.',
    }),
    slots: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200 }),
        {
          description:
            'Named lists of values the caller may say, e.g. day: [monday, tuesday]. ' +
            'Intents refer to them as {day}.',
        },
      ),
    ),
    intents: Type.Array(Intent, {
      minItems: 1,
      maxItems: 64,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      description: 'Intents in match order.',
    }),
  },
  {
    additionalProperties: false,
    description: 'A scripted dialogue: matches the transcript against intents; runs fully offline.',
    'x-kubernetes-validations': [
      cel(
        'self.intents.all(i, !has(i.after) || self.intents.exists(j, j.name == i.after))',
        'every intent "after" must name an intent of this script',
        (self: { intents: { name: string; after?: string }[] }) =>
          self.intents.every(
            (i) => i.after === undefined || self.intents.some((j) => j.name === i.after),
          ),
        '.intents',
      ),
    ],
  },
);
export type ScriptedDialogue = Static<typeof ScriptedDialogue>;
