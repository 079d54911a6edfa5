import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceProblems } from './agent-references.js';
import { voiceAgent } from './fixtures.test-support.js';

const withKey = voiceAgent('a', {
  trunks: ['carrier-a', 'carrier-b'],
  pipeline: {
    llm: {
      provider: 'openai',
      endpoint: 'http://127.0.0.1:1/v1',
      apiKeySecretRef: { name: 'llm', key: 'apiKey' },
    },
  },
});

describe('referenceProblems', () => {
  const cases: {
    name: string;
    trunks: [string, boolean][];
    secrets: [string, string[] | undefined][];
    reasons: string[];
    says?: RegExp;
  }[] = [
    {
      name: 'finds nothing when every trunk and key exists',
      trunks: [
        ['carrier-a', true],
        ['carrier-b', true],
      ],
      secrets: [['llm', ['apiKey']]],
      reasons: [],
    },
    {
      name: 'names the missing trunks and how to fix them',
      trunks: [
        ['carrier-a', true],
        ['carrier-b', false],
      ],
      secrets: [['llm', ['apiKey']]],
      reasons: ['TrunkNotFound'],
      says: /SipTrunk carrier-b in spec.trunks does not exist in namespace default; create it or remove it/,
    },
    {
      name: 'names the Secret to create, with its key',
      trunks: [
        ['carrier-a', true],
        ['carrier-b', true],
      ],
      secrets: [['llm', undefined]],
      reasons: ['SecretNotFound'],
      says: /Secret default\/llm named by spec.pipeline.llm.apiKeySecretRef does not exist; create it with key apiKey/,
    },
    {
      name: 'names the key missing from an existing Secret',
      trunks: [
        ['carrier-a', true],
        ['carrier-b', true],
      ],
      secrets: [['llm', ['token']]],
      reasons: ['SecretKeyMissing'],
      says: /Secret default\/llm has no key apiKey/,
    },
    {
      name: 'reports the Secret before the trunk when both are missing',
      trunks: [['carrier-a', false]],
      secrets: [['llm', undefined]],
      reasons: ['SecretNotFound', 'TrunkNotFound'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problems = referenceProblems(withKey, {
        trunks: new Map(c.trunks),
        secrets: new Map(c.secrets),
      });
      assert.deepEqual(
        problems.map((p) => p.reason),
        c.reasons,
      );
      if (c.says) assert.match(problems.map((p) => p.message).join(' | '), c.says);
    });
  }
});

describe('referenceProblems for webhooks', () => {
  const hooked = voiceAgent('b', {
    events: {
      webhooks: [
        {
          url: 'https://hooks.example.com/calls',
          secretRef: { name: 'hooks', key: 'signingKey' },
          events: ['call.ended'],
        },
      ],
      queueSize: 1000,
    },
  });

  it('names the missing signing-key Secret of a webhook and how to create it', () => {
    const problems = referenceProblems(hooked, { trunks: new Map(), secrets: new Map() });
    assert.deepEqual(
      problems.map((p) => p.reason),
      ['SecretNotFound'],
    );
    assert.match(
      problems[0]!.message,
      /Secret default\/hooks named by spec.events.webhooks\[0\].secretRef does not exist; create it with key signingKey/,
    );
  });

  it('finds nothing once the Secret holds the key', () => {
    const secrets = new Map([['hooks', ['signingKey']]]);
    assert.deepEqual(referenceProblems(hooked, { trunks: new Map(), secrets }), []);
  });
});
