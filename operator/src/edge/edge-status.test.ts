import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationHealth } from './actual-state.js';
import { parseDispatcherList, parseHtableDump, withProbeState } from './actual-state.js';
import { agentRoutingCondition, deriveGatewayStatuses } from './edge-status.js';
import { trunk } from './fixtures.test-support.js';

const h = (duid: string, flag: DestinationHealth['flag']): DestinationHealth => ({
  set: 3,
  uri: `sip:${duid}`,
  duid,
  flag,
  probing: true,
  load: 0,
});
const now = new Date('2026-01-01T00:00:10Z');

describe('deriveGatewayStatuses', () => {
  it('maps dispatcher flags to Up / Down / Unknown and counts gateways up', () => {
    const t = trunk('t', [{ name: 'p' }, { name: 's' }, { name: 'u' }]);
    const r = deriveGatewayStatuses(t, 3, [[h('p', 'A'), h('s', 'I')]], now);
    assert.deepEqual(
      r.gateways.map((g) => g.state),
      ['Up', 'Down', 'Unknown'],
    );
    assert.equal(r.gatewaysUp, '1/3');
  });

  it('keeps since while the state holds and reports transitions', () => {
    const t = trunk('t', [{ name: 'p' }]);
    t.status = { gateways: [{ name: 'p', state: 'Up', since: '2026-01-01T00:00:00Z' }] };
    const same = deriveGatewayStatuses(t, 3, [[h('p', 'A')]], now);
    assert.equal(same.gateways[0]?.since, '2026-01-01T00:00:00Z');
    assert.deepEqual(same.transitions, []);
    const down = deriveGatewayStatuses(t, 3, [[h('p', 'I')]], now);
    assert.equal(down.gateways[0]?.since, now.toISOString());
    assert.deepEqual(down.transitions, [{ gateway: 'p', from: 'Up', to: 'Down' }]);
  });
});

describe('agentRoutingCondition', () => {
  const routing = {
    namespace: 'default',
    name: 'a',
    poolSetId: 1,
    active: 2,
    draining: 1,
    numbers: ['+1'],
    conflicts: [],
  };
  it('is True with a count when every edge took the routing', () => {
    const c = agentRoutingCondition(routing, { total: 2, failed: 0 }, 3);
    assert.equal(c.status, 'True');
    assert.equal(c.observedGeneration, 3);
    assert.match(c.message, /2 media pods \(1 draining\) on 2 edges/);
  });
  it('is False when an edge failed, when none exist, or on a number conflict', () => {
    assert.equal(
      agentRoutingCondition(routing, { total: 2, failed: 1 }, 1).reason,
      'EdgeUnreachable',
    );
    assert.equal(agentRoutingCondition(routing, { total: 0, failed: 0 }, 1).reason, 'NoEdges');
    assert.equal(
      agentRoutingCondition(
        { ...routing, conflicts: [{ number: '+1', heldBy: 'default/b' }] },
        { total: 1, failed: 0 },
        1,
      ).reason,
      'NumberConflict',
    );
  });
});

describe('parsing Kamailio answers', () => {
  it('reads dispatcher.list into sets and health', () => {
    const answer = {
      NRSETS: 1,
      RECORDS: [
        {
          SET: {
            ID: 5,
            TARGETS: [
              {
                DEST: {
                  URI: 'sip:127.0.0.1:26001',
                  FLAGS: 'DX',
                  PRIORITY: 0,
                  ATTRS: { BODY: 'duid=b', DUID: 'b' },
                  RUNTIME: { DLGLOAD: 2 },
                },
              },
              {
                DEST: {
                  URI: 'sip:127.0.0.1:26000',
                  FLAGS: 'IP',
                  PRIORITY: 3,
                  ATTRS: { BODY: 'duid=a', DUID: 'a' },
                  LATENCY: { AVG: 1.5 },
                },
              },
            ],
          },
        },
      ],
    };
    const { sets, health } = parseDispatcherList(answer);
    assert.deepEqual(
      sets.get(5)?.destinations.map((d) => d.state),
      ['disabled', 'active'],
    );
    assert.deepEqual(
      health.map((x) => [x.flag, x.probing, x.load, x.rttMs]),
      [
        ['D', false, 2, undefined],
        ['I', true, 0, 1.5],
      ],
    );
    assert.deepEqual(parseDispatcherList(null).sets.size, 0);
  });
  it('reads htable.dump slots', () => {
    const dump = [
      {
        entry: 1,
        size: 2,
        slot: [
          { name: 'k1', value: 'v1', type: 'str' },
          { name: 'k2', value: 7, type: 'int' },
        ],
      },
    ];
    assert.deepEqual(
      parseHtableDump(dump),
      new Map([
        ['k1', 'v1'],
        ['k2', '7'],
      ]),
    );
    assert.deepEqual(parseHtableDump({ bad: true }), new Map());
  });
  /** A trunk gateway as the dispatcher lists it: active, probed by the trunk prober (no P). */
  const gateway = { set: 4, uri: 'sip:g', duid: 'g', flag: 'A', probing: false, load: 0 } as const;

  it("takes a trunk gateway's RTT from the trunk prober, a media node's from the dispatcher", () => {
    const node = { ...gateway, set: 2, uri: 'sip:n', probing: true, rttMs: 0.8 };
    const probeState = new Map([
      ['4|sip:g|rtt', '12'],
      ['4|sip:g|ok', '3'],
    ]);
    assert.deepEqual(
      withProbeState([{ ...gateway, rttMs: 0 }, node], probeState).map((x) => x.rttMs),
      [12, 0.8],
    );
    assert.equal(withProbeState([{ ...gateway, rttMs: 0 }], new Map())[0]?.rttMs, undefined);
  });

  it('says whether a trunk gateway has had a probe answered or timed out yet', () => {
    const node = { ...gateway, set: 2, uri: 'sip:n', probing: true };
    assert.equal(withProbeState([gateway], new Map())[0]?.probed, false, 'listed, never probed');
    const timedOut = new Map([['4|sip:g|code', '408']]);
    assert.equal(withProbeState([gateway], timedOut)[0]?.probed, true, 'its first probe timed out');
    assert.equal(
      withProbeState([node], new Map())[0]?.probed,
      undefined,
      'the dispatcher probes it',
    );
  });
});
