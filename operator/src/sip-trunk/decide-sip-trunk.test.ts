import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideSipTrunk } from './decide-sip-trunk.js';
import { sipTrunk } from './fixtures.test-support.js';

const now = new Date('2026-02-01T00:00:00Z');

describe('decideSipTrunk', () => {
  const cases: {
    name: string;
    secret: string | undefined;
    keys: string[] | undefined;
    status: string;
    reason: string;
    says?: RegExp;
  }[] = [
    {
      name: 'is Ready without outbound credentials',
      secret: undefined,
      keys: undefined,
      status: 'True',
      reason: 'Configured',
    },
    {
      name: 'is Ready with a complete Secret',
      secret: 'creds',
      keys: ['username', 'password', 'realm'],
      status: 'True',
      reason: 'Configured',
    },
    {
      name: 'names the Secret to create when it is missing',
      secret: 'creds',
      keys: undefined,
      status: 'False',
      reason: 'SecretNotFound',
      says: /Secret default\/creds does not exist.*username and password/,
    },
    {
      name: 'names the missing key',
      secret: 'creds',
      keys: ['username'],
      status: 'False',
      reason: 'SecretKeyMissing',
      says: /Secret default\/creds has no key password/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideSipTrunk({
        trunk: sipTrunk('carrier-a', c.secret),
        specErrors: [],
        secretKeys: c.keys,
        now,
      });
      const ready = d.status.conditions.find((x) => x.type === 'Ready');
      assert.equal(ready?.status, c.status);
      assert.equal(ready?.reason, c.reason);
      if (c.says) assert.match(ready?.message ?? '', c.says);
      assert.equal(d.statusChanged, true);
    });
  }

  it('reports what admission would reject as InvalidSpec and lists no gateways', () => {
    const d = decideSipTrunk({
      trunk: sipTrunk('t', undefined),
      specErrors: [{ path: 'spec.gateways[1]', message: 'Duplicate value: {"name":"primary"}' }],
      secretKeys: undefined,
      now,
    });
    const ready = d.status.conditions.find((x) => x.type === 'Ready');
    assert.equal(ready?.reason, 'InvalidSpec');
    assert.match(ready?.message ?? '', /fix the spec: spec.gateways\[1\]: Duplicate value/);
    assert.deepEqual(d.status.gateways, []);
  });

  it('lists every spec gateway by name only, so the edge keeps owning their state', () => {
    const first = decideSipTrunk({
      trunk: sipTrunk('t', undefined),
      specErrors: [],
      secretKeys: undefined,
      now,
    });
    assert.deepEqual(first.status.gateways, [{ name: 'primary' }, { name: 'backup' }]);
    const trunk = sipTrunk('t', undefined);
    trunk.status = { ...first.status, gateways: [{ name: 'primary', state: 'Up' }] };
    const later = decideSipTrunk({ trunk, specErrors: [], secretKeys: undefined, now });
    assert.equal(later.statusChanged, true, 'backup is not listed yet');
    assert.deepEqual(later.status.gateways, [{ name: 'primary' }, { name: 'backup' }]);
  });

  it('writes nothing once status matches and the edge has filled the gateways', () => {
    const first = decideSipTrunk({
      trunk: sipTrunk('t', 'creds'),
      specErrors: [],
      secretKeys: ['username', 'password'],
      now,
    });
    const trunk = sipTrunk('t', 'creds');
    trunk.status = {
      ...first.status,
      gateways: [
        { name: 'primary', state: 'Up' },
        { name: 'backup', state: 'Down' },
      ],
    };
    const again = decideSipTrunk({
      trunk,
      specErrors: [],
      secretKeys: ['username', 'password'],
      now: new Date(now.getTime() + 5000),
    });
    assert.equal(again.statusChanged, false);
    assert.deepEqual(again.events, []);
  });
});
