import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DestinationHealth } from '@voicefleet/operator';
import { EXAMPLES_DIR } from '../repository.js';
import {
  FIRST_PROBE_MS,
  fleetSnapshot,
  type NodeView,
  type SnapshotInput,
} from './fleet-snapshot.js';
import { loadManifestFolder, type ManifestFolder } from './manifest-folder.js';

const FRONT = 'default/front-desk/us-east-1';
const node = (patch: Partial<NodeView> = {}): NodeView => ({
  poolKey: FRONT,
  phase: 'ready',
  exited: false,
  load: { activeCalls: 3, capacity: 50 },
  ...patch,
});
const gateway = (
  duid: string,
  port: number,
  flag: DestinationHealth['flag'],
): DestinationHealth => ({
  set: 1,
  uri: `sip:127.0.0.1:${port}`,
  duid,
  flag,
  probing: true,
  load: 0,
});

describe('fleetSnapshot', () => {
  let examples: ManifestFolder;
  before(async () => (examples = await loadManifestFolder(EXAMPLES_DIR)));

  const snapshot = (patch: Partial<SnapshotInput>) =>
    fleetSnapshot({
      agents: examples.agents.filter((a) => a.metadata.name === 'front-desk'),
      trunks: examples.trunks,
      nodes: [node()],
      gatewayHealth: [],
      firstListedAtMs: new Map(),
      nowMs: 10_000,
      edge: { sipUri: 'sip:127.0.0.1:5060', state: 'running', routing: 'published' },
      problems: [],
      ...patch,
    });
  const frontDesk = (patch: Partial<SnapshotInput>) => snapshot(patch).agents[0]!;

  it('counts the calls and capacity of the nodes that are up', () => {
    assert.deepEqual(frontDesk({}).pools[0], {
      region: 'us-east-1',
      ready: 1,
      desired: 1,
      activeCalls: 3,
      capacity: 50,
    });
    assert.equal(frontDesk({}).state, 'Ready');
  });

  it('drops a node that died (kill -9) from the table: neither its node nor its last calls count', () => {
    const agent = frontDesk({ nodes: [node({ phase: 'failed', exited: true })] });
    assert.deepEqual(agent.pools[0], {
      region: 'us-east-1',
      ready: 0,
      desired: 1,
      activeCalls: 0,
      capacity: 0,
    });
    assert.equal(agent.state, 'Progressing: us-east-1 0/1');
  });

  it('shows a node that is draining its calls as not ready but still carrying them', () => {
    const agent = frontDesk({ nodes: [node({ phase: 'draining' }), node()] });
    assert.equal(agent.pools[0]?.activeCalls, 6);
    assert.equal(agent.pools[0]?.ready, 1);
  });

  it('shows a trunk gateway listed active as Probing until its first probe has an answer, however long that takes', () => {
    const probedBy = (probed: boolean): DestinationHealth => ({
      ...gateway('primary', 5091, 'A'),
      probing: false,
      probed,
    });
    const listed = new Map([['sip:127.0.0.1:5091', 10_000 - FIRST_PROBE_MS - 5000]]);
    const state = (probed: boolean) =>
      snapshot({
        gatewayHealth: [probedBy(probed)],
        firstListedAtMs: listed,
      }).trunks[0]!.gateways.find((g) => g.name === 'primary')?.state;
    assert.equal(state(false), 'Probing');
    assert.equal(state(true), 'Up');
  });

  for (const [what, flag, listedAgoMs, expected] of [
    ['not listed by the edge yet', undefined, undefined, 'Unknown'],
    ['listed as active before its first probe', 'A', FIRST_PROBE_MS - 500, 'Probing'],
    ['answering its probes', 'A', FIRST_PROBE_MS, 'Up'],
    ['not answering its probes', 'I', FIRST_PROBE_MS + 1000, 'Down'],
    ['disabled', 'D', FIRST_PROBE_MS + 1000, 'Disabled'],
  ] as const) {
    it(`shows a trunk gateway ${what} as ${expected}`, () => {
      const health = flag === undefined ? [] : [gateway('primary', 5091, flag)];
      const listed =
        listedAgoMs === undefined ? [] : [['sip:127.0.0.1:5091', 10_000 - listedAgoMs] as const];
      const trunk = snapshot({ gatewayHealth: health, firstListedAtMs: new Map(listed) })
        .trunks[0]!;
      assert.equal(trunk.gateways.find((g) => g.name === 'primary')?.state, expected);
    });
  }
});
