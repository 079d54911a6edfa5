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
      const d = decideSipTrunk({ trunk: sipTrunk('carrier-a', c.secret), secretKeys: c.keys, now });
      const ready = d.status.conditions.find((x) => x.type === 'Ready');
      assert.equal(ready?.status, c.status);
      assert.equal(ready?.reason, c.reason);
      if (c.says) assert.match(ready?.message ?? '', c.says);
      assert.equal(d.statusChanged, true);
    });
  }

  it('initialises every gateway as Unknown, then only adds gateways that are not listed', () => {
    const first = decideSipTrunk({ trunk: sipTrunk('t', undefined), secretKeys: undefined, now });
    assert.deepEqual(first.gatewayInit[0]?.value, [
      { name: 'primary', state: 'Unknown' },
      { name: 'backup', state: 'Unknown' },
    ]);
    const trunk = sipTrunk('t', undefined);
    trunk.status = { gateways: [{ name: 'primary', state: 'Up' }] };
    const later = decideSipTrunk({ trunk, secretKeys: undefined, now });
    assert.deepEqual(later.gatewayInit, [
      { op: 'add', path: '/status/gateways/-', value: { name: 'backup', state: 'Unknown' } },
    ]);
  });

  it('writes nothing once status matches and the edge has filled the gateways', () => {
    const first = decideSipTrunk({
      trunk: sipTrunk('t', 'creds'),
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
      secretKeys: ['username', 'password'],
      now: new Date(now.getTime() + 5000),
    });
    assert.equal(again.statusChanged, false);
    assert.deepEqual(again.gatewayInit, []);
    assert.deepEqual(again.events, []);
  });
});
