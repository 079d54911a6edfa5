import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planPools, type DesiredPool, type RunningNode } from './pool-plan.js';

const pool = (key: string, replicas: number, configHash = 'h1'): DesiredPool => ({
  key,
  replicas,
  configHash,
});
const node = (
  id: string,
  poolKey: string,
  phase: RunningNode['phase'],
  configHash = 'h1',
): RunningNode => ({
  id,
  poolKey,
  configHash,
  phase,
});

describe('planPools', () => {
  const cases: {
    name: string;
    desired: DesiredPool[];
    running: RunningNode[];
    start: string[];
    drain: string[];
  }[] = [
    {
      name: 'starts the minimum number of nodes for a new pool',
      desired: [pool('default/desk/local', 2)],
      running: [],
      start: ['default/desk/local@h1', 'default/desk/local@h1'],
      drain: [],
    },
    {
      name: 'does nothing when every pool runs its config at strength',
      desired: [pool('default/desk/local', 1)],
      running: [node('n1', 'default/desk/local', 'ready')],
      start: [],
      drain: [],
    },
    {
      name: 'counts starting nodes so a slow start is not doubled',
      desired: [pool('default/desk/local', 1)],
      running: [node('n1', 'default/desk/local', 'starting')],
      start: [],
      drain: [],
    },
    {
      name: 'keeps old nodes serving until the new config is ready (rolling change)',
      desired: [pool('default/desk/local', 1, 'h2')],
      running: [node('n1', 'default/desk/local', 'ready', 'h1')],
      start: ['default/desk/local@h2'],
      drain: [],
    },
    {
      name: 'drains old nodes once the new config serves at full strength',
      desired: [pool('default/desk/local', 1, 'h2')],
      running: [
        node('n1', 'default/desk/local', 'ready', 'h1'),
        node('n2', 'default/desk/local', 'ready', 'h2'),
      ],
      start: [],
      drain: ['n1'],
    },
    {
      name: 'drains every node of a pool that is no longer desired',
      desired: [],
      running: [
        node('n1', 'default/old/local', 'ready'),
        node('n2', 'default/old/local', 'starting'),
      ],
      start: [],
      drain: ['n1', 'n2'],
    },
    {
      name: 'replaces a failed node and never drains it twice',
      desired: [pool('default/desk/local', 1)],
      running: [
        node('n1', 'default/desk/local', 'failed'),
        node('n2', 'default/desk/local', 'draining'),
      ],
      start: ['default/desk/local@h1'],
      drain: [],
    },
    {
      name: 'scales a pool down by draining the nodes with the fewest calls',
      desired: [pool('default/desk/local', 2)],
      running: [
        { ...node('n1', 'default/desk/local', 'ready'), activeCalls: 1 },
        { ...node('n2', 'default/desk/local', 'ready'), activeCalls: 7 },
        { ...node('n3', 'default/desk/local', 'ready'), activeCalls: 0 },
        { ...node('n4', 'default/desk/local', 'ready'), activeCalls: 4 },
      ],
      start: [],
      drain: ['n1', 'n3'],
    },
    {
      name: 'scales a pool down by draining surplus ready nodes',
      desired: [pool('default/desk/local', 1)],
      running: [
        node('n1', 'default/desk/local', 'ready'),
        node('n2', 'default/desk/local', 'ready'),
      ],
      start: [],
      drain: ['n2'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planPools(c.desired, c.running);
      assert.deepEqual(
        plan.start.map((s) => `${s.poolKey}@${s.configHash}`),
        c.start,
      );
      assert.deepEqual(plan.drain, c.drain);
    });
  }
});
