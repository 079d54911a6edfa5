import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredEdgeRouting } from './desired-edge-routing.js';
import { agent, inputs, slice, trunk } from './fixtures.test-support.js';
import { setKeys } from './routing-state.js';

describe('desiredEdgeRouting', () => {
  const both = agent('front-desk', ['+14155550100'], ['carrier'], ['us-east-1', 'eu-west-1']);
  const input = {
    ...inputs({ agents: [both], trunks: [trunk('carrier', [{ name: 'primary' }])] }),
    endpointSlices: [
      slice('front-desk', 'us-east-1', [{ ip: '10.0.0.1', pod: 'a' }]),
      slice('front-desk', 'eu-west-1', [
        { ip: '10.1.0.1', pod: 'b' },
        { ip: '10.1.0.2', pod: 'c', ready: false },
      ]),
    ],
  };
  const regions = [
    { region: 'us-east-1', peerEdges: [] },
    { region: 'eu-west-1', peerEdges: [] },
  ];

  it("gives every owned region's edge its own pool, with one set-id assignment for all", () => {
    const r = desiredEdgeRouting(input, regions);
    const pool = (region: string) => {
      const state = r.byRegion.get(region)?.state;
      const id = Number(state?.htables.dids.get('14155550100'));
      return state?.sets.get(id)?.destinations.map((d) => d.uri);
    };
    assert.deepEqual(pool('us-east-1'), ['sip:10.0.0.1:5060']);
    assert.deepEqual(pool('eu-west-1'), ['sip:10.1.0.1:5060', 'sip:10.1.0.2:5060']);
    const ids = r.setIds.assignment;
    assert.notEqual(
      ids.get(setKeys.pool('default', 'front-desk', 'us-east-1')),
      ids.get(setKeys.pool('default', 'front-desk', 'eu-west-1')),
    );
    assert.equal(r.setIds.changed, true);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const trunkId = ids.get(setKeys.trunk('default', 'carrier')) ?? 0;
      assert.ok(r.byRegion.get(region)?.state.sets.has(trunkId), `trunk set in ${region}`);
    }
  });

  it('sums each agent over the regions and keeps a persisted assignment as it is', () => {
    const first = desiredEdgeRouting(input, regions);
    assert.deepEqual(
      first.agents.map((a) => [a.name, a.active, a.draining]),
      [['front-desk', 2, 1]],
    );
    const again = desiredEdgeRouting({ ...input, setIds: first.setIds.assignment }, regions);
    assert.equal(again.setIds.changed, false);
  });
});
