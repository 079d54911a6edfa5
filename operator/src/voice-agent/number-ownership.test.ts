import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agentsSharingNumbers,
  decideNumberOwnership,
  type NumberClaimant,
} from './number-ownership.js';

const agent = (
  name: string,
  created: string,
  numbers: string[],
  namespace = 'default',
): NumberClaimant => ({
  namespace,
  name,
  creationTimestamp: `2026-01-0${created}T00:00:00Z`,
  numbers,
});

describe('decideNumberOwnership', () => {
  const cases: {
    name: string;
    agents: NumberClaimant[];
    owners: Record<string, string>;
    lost: Record<string, [string, string][]>;
  }[] = [
    {
      name: 'gives distinct numbers to their agents without conflicts',
      agents: [agent('a', '1', ['+1']), agent('b', '2', ['+2'])],
      owners: { '+1': 'default/a', '+2': 'default/b' },
      lost: {},
    },
    {
      name: 'keeps a shared number with the older agent whatever the list order',
      agents: [agent('new', '2', ['+1', '+2']), agent('old', '1', ['+1'])],
      owners: { '+1': 'default/old', '+2': 'default/new' },
      lost: { 'default/new': [['+1', 'default/old']] },
    },
    {
      name: 'breaks a creation-time tie by namespace, then name',
      agents: [
        agent('b', '1', ['+1'], 'x'),
        agent('z', '1', ['+1'], 'a'),
        agent('a', '1', ['+1'], 'x'),
      ],
      owners: { '+1': 'a/z' },
      lost: { 'x/a': [['+1', 'a/z']], 'x/b': [['+1', 'a/z']] },
    },
    {
      name: 'hands the number to the next claimant once the holder is gone',
      agents: [agent('new', '2', ['+1'])],
      owners: { '+1': 'default/new' },
      lost: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = decideNumberOwnership(c.agents);
      assert.deepEqual(Object.fromEntries(got.owners), c.owners);
      assert.deepEqual(
        Object.fromEntries([...got.lost].map(([k, v]) => [k, v.map((l) => [l.number, l.heldBy])])),
        c.lost,
      );
    });
  }
});

describe('agentsSharingNumbers', () => {
  it('lists the other agents claiming any of the numbers', () => {
    const agents = [
      agent('a', '1', ['+1']),
      agent('b', '2', ['+1', '+2']),
      agent('c', '3', ['+3']),
    ];
    assert.deepEqual(agentsSharingNumbers(agents, ['+1', '+3'], 'default/a'), [
      'default/b',
      'default/c',
    ]);
  });
});
