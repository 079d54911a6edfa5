import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containsDesired, stableHash } from './apply-diff.js';

describe('containsDesired', () => {
  const live = {
    metadata: { name: 'a', labels: { x: '1' }, resourceVersion: '7' },
    spec: { replicas: 2, ports: [{ name: 'sip', port: 5060, protocol: 'UDP' }] },
  };
  const cases: { name: string; desired: unknown; want: boolean }[] = [
    {
      name: 'matches when the server added fields',
      desired: { spec: { replicas: 2 } },
      want: true,
    },
    { name: 'sees a changed scalar', desired: { spec: { replicas: 3 } }, want: false },
    { name: 'sees a missing label', desired: { metadata: { labels: { y: '2' } } }, want: false },
    {
      name: 'matches list items by position',
      desired: { spec: { ports: [{ port: 5060 }] } },
      want: true,
    },
    {
      name: 'sees an added list item',
      desired: { spec: { ports: [{ port: 5060 }, { port: 8080 }] } },
      want: false,
    },
    {
      name: 'sees an object where a scalar is',
      desired: { spec: { replicas: { a: 1 } } },
      want: false,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(containsDesired(c.desired, live), c.want));
});

describe('stableHash', () => {
  it('does not depend on key order', () => {
    assert.equal(
      stableHash({ a: 1, b: [1, { c: 2, d: 3 }] }),
      stableHash({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    assert.notEqual(stableHash({ a: 1 }), stableHash({ a: 2 }));
  });
});
