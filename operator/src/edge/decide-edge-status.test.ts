import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationHealth } from './actual-state.js';
import { decideEdgeStatus, PROBE_REFRESH_MS, type EdgeObservation } from './decide-edge-status.js';
import { desiredEdgeRouting } from './desired-edge-routing.js';
import { agent, inputs, slice, trunk } from './fixtures.test-support.js';
import { setKeys } from './routing-state.js';

const now = new Date('2026-03-01T00:00:00Z');
const frontDesk = agent('front-desk', ['+14155550100'], ['carrier']);
const carrier = trunk('carrier', [{ name: 'primary' }, { name: 'backup' }]);
const routing = desiredEdgeRouting(
  {
    ...inputs({ agents: [frontDesk], trunks: [carrier] }),
    endpointSlices: [slice('front-desk', 'us-east-1', [{ ip: '10.0.0.1', pod: 'a' }])],
  },
  [{ region: 'us-east-1', peerEdges: [] }],
);
const trunkSet = routing.setIds.assignment.get(setKeys.trunk('default', 'carrier')) ?? 0;
const seen = (duid: string, flag: DestinationHealth['flag']): DestinationHealth => ({
  set: trunkSet,
  uri: `sip:${duid}`,
  duid,
  flag,
  probing: true,
  load: 0,
});
const upAndDown: EdgeObservation = {
  ok: true,
  health: [seen('primary', 'A'), seen('backup', 'I')],
};

const decide = (patch: Partial<Parameters<typeof decideEdgeStatus>[0]> = {}) =>
  decideEdgeStatus({
    routing,
    agents: [frontDesk],
    trunks: [carrier],
    edges: [upAndDown],
    now,
    ...patch,
  });

describe('decideEdgeStatus', () => {
  it('publishes RoutingPublished on the agent and gateway health on the trunk, one write each', () => {
    const d = decide();
    assert.deepEqual(
      d.writes.map((w) => `${w.kind}/${w.object.metadata.name}`),
      ['VoiceAgent/front-desk', 'SipTrunk/carrier'],
    );
    const agentWrite = d.writes[0]?.status as {
      conditions: { type: string; status: string; message: string }[];
    };
    assert.equal(agentWrite.conditions[0]?.type, 'RoutingPublished');
    assert.match(
      agentWrite.conditions[0]?.message ?? '',
      /1 numbers routed to 1 media pods \(0 draining\) on 1 edges/,
    );
    const trunkWrite = d.writes[1]?.status as { gatewaysUp: string; gateways: { state: string }[] };
    assert.equal(trunkWrite.gatewaysUp, '1/2');
    assert.deepEqual(
      trunkWrite.gateways.map((g) => g.state),
      ['Up', 'Down'],
    );
    assert.deepEqual(
      d.events.map((e) => e.event.reason),
      ['GatewayDown'],
      'Unknown -> Up is no Event; Unknown -> Down is',
    );
  });

  it('writes nothing while what the edges report holds, until lastProbe is 30 s old', () => {
    const first = decide();
    const published = (kind: string) => first.writes.find((w) => w.kind === kind)?.status ?? {};
    const steadyAgent = { ...frontDesk, status: published('VoiceAgent') as never };
    const steadyTrunk = { ...carrier, status: published('SipTrunk') as never };
    const again = decide({
      agents: [steadyAgent],
      trunks: [steadyTrunk],
      now: new Date(now.getTime() + 1000),
    });
    assert.deepEqual(again.writes, []);
    assert.deepEqual(again.events, []);
    const later = decide({
      agents: [steadyAgent],
      trunks: [steadyTrunk],
      now: new Date(now.getTime() + PROBE_REFRESH_MS + 1000),
    });
    assert.deepEqual(
      later.writes.map((w) => w.kind),
      ['SipTrunk'],
    );
  });

  it('says an edge did not take the routing, and that there is no edge at all', () => {
    const failed = decide({ edges: [upAndDown, { ok: false, health: [] }] });
    const reasons = failed.writes.map(
      (w) => (w.status as { conditions: { reason: string }[] }).conditions[0]?.reason,
    );
    assert.deepEqual(reasons, ['EdgeUnreachable', 'EdgeUnreachable']);
    const none = decide({ edges: [] });
    const trunkStatus = none.writes.find((w) => w.kind === 'SipTrunk')?.status as {
      gateways: { state: string }[];
      conditions: { reason: string }[];
    };
    assert.equal(trunkStatus.conditions[0]?.reason, 'NoEdges');
    assert.deepEqual(
      trunkStatus.gateways.map((g) => g.state),
      ['Unknown', 'Unknown'],
    );
  });

  it('leaves out an agent the routing does not know (one admission would reject)', () => {
    const stranger = agent('stranger', ['+14155550199']);
    assert.deepEqual(decide({ agents: [stranger], trunks: [] }).writes, []);
  });
});
