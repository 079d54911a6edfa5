import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VoiceAgent } from '@voicefleet/api';
import { desiredRoutingState, normalizeNumber } from './desired-routing-state.js';
import { agent, inputs, slice, trunk } from './fixtures.test-support.js';

describe('normalizeNumber', () => {
  const cases: Array<[string, string]> = [
    ['+14155550100', '14155550100'],
    ['0014155550100', '14155550100'],
    ['tel:+1-415-555-0100', '14155550100'],
    ['14155550100', '14155550100'],
  ];
  for (const [input, want] of cases)
    it(`${input} -> ${want}`, () => assert.equal(normalizeNumber(input), want));
});

describe('desiredRoutingState', () => {
  it('routes each number to its pool set with ready endpoints active and the rest disabled', () => {
    const d = desiredRoutingState(
      inputs({
        agents: [agent('front-desk', ['+14155550100'])],
        endpointSlices: [
          slice('front-desk', 'us-east-1', [
            { ip: '10.0.0.1', pod: 'a' },
            { ip: '10.0.0.2', pod: 'b', ready: false },
            { ip: '10.0.0.3', pod: 'c', terminating: true, ready: false },
            { ip: '10.0.0.4', pod: 'd' },
          ]),
          slice('front-desk', 'eu-west-1', [{ ip: '10.9.0.1', pod: 'z' }]),
        ],
        drainMarks: new Set(['default/d']),
      }),
    );
    const poolId = Number(d.state.htables.dids.get('14155550100'));
    const pool = d.state.sets.get(poolId);
    assert.deepEqual(
      pool?.destinations.map((x) => [x.uri, x.state]),
      [
        ['sip:10.0.0.1:5060', 'active'],
        ['sip:10.0.0.2:5060', 'disabled'],
        ['sip:10.0.0.3:5060', 'disabled'],
        ['sip:10.0.0.4:5060', 'disabled'],
      ],
    );
    assert.match(pool?.destinations[0]?.attrs ?? '', /duid=10.0.0.1:5060;maxload=50/);
    assert.deepEqual(d.agents[0]?.active, 1);
    assert.deepEqual(d.agents[0]?.draining, 3);
  });

  it('keeps set ids stable when agents and trunks are added', () => {
    const first = desiredRoutingState(
      inputs({ agents: [agent('b', ['+1002'])], trunks: [trunk('t', [{ name: 'g' }])] }),
    );
    const second = desiredRoutingState(
      inputs({
        agents: [agent('a', ['+1001']), agent('b', ['+1002'])],
        trunks: [trunk('t', [{ name: 'g' }])],
        setIds: first.setIds.assignment,
      }),
    );
    for (const [key, id] of first.setIds.assignment)
      assert.equal(second.setIds.assignment.get(key), id, key);
    assert.equal(second.setIds.changed, true);
  });

  it("lists an agent's trunks in order, with codes, timeout, ACL and credentials", () => {
    const d = desiredRoutingState(
      inputs({
        agents: [agent('dialer', ['+1003'], ['b', 'a'])],
        trunks: [
          trunk(
            'a',
            [
              { name: 'p', priority: 1 },
              { name: 's', priority: 2 },
            ],
            {
              inbound: { sourceCidrs: ['203.0.113.0/24'] },
              outbound: { credentialsSecretRef: { name: 'creds' } },
              failover: { responseCodes: [503, 408], timeoutMs: 1500 },
            },
          ),
          trunk('b', [
            { name: 'x', weight: 100 },
            { name: 'y', weight: 50 },
          ]),
        ],
        credentials: new Map([['default/a', { username: 'u', password: 'p' }]]),
      }),
    );
    const id = (k: string): number => d.setIds.assignment.get(k) ?? -1;
    const a = id('trunk/default/a');
    const b = id('trunk/default/b');
    assert.equal(
      d.state.htables.outbound.get(String(id('pool/default/dialer/us-east-1'))),
      `${b},${a}`,
    );
    assert.equal(d.state.htables.trunks.get(`${a}:codes`), ',503,408,');
    assert.equal(d.state.htables.trunks.get(`${a}:timeout`), '1500');
    assert.equal(d.state.htables.trunks.get(`${a}:alg`), '8');
    assert.equal(d.state.htables.trunks.get(`${b}:alg`), '11');
    assert.equal(d.state.htables.trunkacl.get(String(a)), '203.0.113.0/24');
    assert.equal(d.state.htables.creds.get(`${a}:user`), 'u');
    const gw = d.state.sets.get(a)?.destinations ?? [];
    assert.ok(
      (gw[0]?.priority ?? 0) > (gw[1]?.priority ?? 0),
      'lower spec priority is tried first',
    );
    assert.deepEqual(
      d.state.sets.get(b)?.destinations.map((x) => x.attrs),
      ['duid=x;rweight=100', 'duid=y;rweight=50'],
    );
  });

  it("lists every trunk gateway for the edge's prober with its trunk's healthCheck; pools and peers are probed by the dispatcher", () => {
    const d = desiredRoutingState(
      inputs({
        agents: [agent('front-desk', ['+1004'])],
        endpointSlices: [slice('front-desk', 'us-east-1', [{ ip: '10.0.0.1', pod: 'a' }])],
        trunks: [
          trunk(
            'slow',
            [
              { name: 'p', port: 5080 },
              { name: 't', port: 5081, transport: 'tcp' },
            ],
            {
              healthCheck: { intervalSeconds: 30, failureThreshold: 3, successThreshold: 2 },
            },
          ),
          trunk('fast', [{ name: 'x', port: 5082 }]),
        ],
      }),
    );
    const id = (k: string): number => d.setIds.assignment.get(k) ?? -1;
    const slow = id('trunk/default/slow');
    const fast = id('trunk/default/fast');
    assert.deepEqual(
      [...d.state.htables.probes].sort(),
      [
        [`${fast}|sip:127.0.0.1:5082`, '1,1,1,x'],
        [`${slow}|sip:127.0.0.1:5080`, '30,3,2,p'],
        [`${slow}|sip:127.0.0.1:5081;transport=tcp`, '30,3,2,t'],
      ].sort(),
    );
    assert.deepEqual(
      d.state.sets.get(slow)?.destinations.map((x) => x.probing),
      [undefined, undefined],
    );
    const pool = d.state.sets.get(id('pool/default/front-desk/us-east-1'));
    assert.deepEqual(
      pool?.destinations.map((x) => x.probing),
      [true],
    );
  });

  it("names each agent's pool set and each trunk's set for the edge's counters", () => {
    const d = desiredRoutingState(
      inputs({
        agents: [agent('front-desk', ['+1001'])],
        trunks: [trunk('carrier-a', [{ name: 'g' }])],
      }),
    );
    const id = (k: string): string => String(d.setIds.assignment.get(k) ?? -1);
    assert.deepEqual(
      [...d.state.htables.names].sort(),
      [
        [id('pool/default/front-desk/us-east-1'), 'default/front-desk'],
        [id('trunk/default/carrier-a'), 'default/carrier-a'],
      ].sort(),
    );
  });

  it('routes a number claimed by two agents to the older claim and reports it on the newer', () => {
    const created = (a: VoiceAgent, at: string): VoiceAgent =>
      Object.assign(a, { metadata: { ...a.metadata, creationTimestamp: at } });
    const older = created(agent('b', ['+1005']), '2026-01-01T00:00:00Z');
    const newer = created(agent('a', ['+1001', '+1005']), '2026-02-01T00:00:00Z');
    const d = desiredRoutingState(inputs({ agents: [newer, older] }));
    const poolOf = (name: string) =>
      String(d.agents.find((x) => x.name === name)?.poolSetId ?? 'missing');
    assert.equal(d.state.htables.dids.get('1005'), poolOf('b'), 'the older agent keeps +1005');
    assert.equal(d.state.htables.dids.get('1001'), poolOf('a'));
    assert.deepEqual(d.agents.find((x) => x.name === 'a')?.conflicts, [
      { number: '+1005', heldBy: 'default/b' },
    ]);
    assert.deepEqual(d.agents.find((x) => x.name === 'b')?.conflicts, []);
    assert.deepEqual(d.agents.find((x) => x.name === 'a')?.numbers, ['+1001']);
  });

  it('adds peer edges as a set and maps pod addresses through addressMap', () => {
    const d = desiredRoutingState(
      inputs({
        agents: [agent('a', ['+1001'])],
        endpointSlices: [slice('a', 'us-east-1', [{ ip: '192.0.2.1', pod: 'p' }], 5070)],
        region: { region: 'us-east-1', peerEdges: ['edge.eu:5060', 'sip:edge.ap:5060'] },
        addressMap: new Map([['192.0.2.1', '127.0.0.1']]),
      }),
    );
    const peers = d.state.sets.get(Number(d.state.htables.edge.get('peers')));
    assert.deepEqual(
      peers?.destinations.map((x) => x.uri),
      ['sip:edge.eu:5060', 'sip:edge.ap:5060'],
    );
    const pool = d.state.sets.get(Number(d.state.htables.dids.get('1001')));
    assert.equal(pool?.destinations[0]?.uri, 'sip:127.0.0.1:5070');
  });
});
