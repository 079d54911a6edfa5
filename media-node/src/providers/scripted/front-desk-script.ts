/** The front-desk dialogue from docs/contracts.md: the demo agent and the tests' reference script. */
import type { DialogueScript } from '../pipeline-config.js';

export const FRONT_DESK_GREETING = 'Thanks for calling Bayview Dental, how can I help?';

export const FRONT_DESK_SCRIPT: DialogueScript = {
  fallback: 'Sorry, I did not catch that. Could you say it again?',
  slots: {
    day: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
    time: ['nine', 'ten', 'eleven', 'noon', 'one', 'two', 'three', 'four'],
  },
  intents: [
    {
      name: 'hours',
      examples: ['what time do you open on saturday', 'what are your opening hours'],
      reply: 'On Saturday we open at nine in the morning and close at one.',
    },
    {
      name: 'book',
      examples: ['i would like to book an appointment'],
      reply: 'Sure. Which day would you like?',
    },
    { name: 'book-day', after: 'book', examples: ['{day}'], reply: 'And what time on {day}?' },
    {
      name: 'book-time',
      after: 'book-day',
      examples: ['{time}', 'at {time}'],
      reply: 'You are booked for {day} at {time}. Anything else?',
    },
    {
      name: 'human',
      examples: ['i want to talk to a person'],
      reply: 'Let me connect you to a person.',
      action: 'transfer',
    },
    {
      name: 'bye',
      examples: ['goodbye', 'that is all thank you'],
      reply: 'Thanks for calling. Goodbye!',
      action: 'hangup',
    },
  ],
};
