import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EXAMPLES_DIR } from '../repository.js';
import { desiredLocalPools, regionsOf } from './local-pools.js';
import { loadManifestFolder, type ManifestFolder } from './manifest-folder.js';

const US = 'sip:127.0.0.1:5060';
const EU = 'sip:127.0.0.1:5070';

describe('desiredLocalPools (the example manifests)', () => {
  let examples: ManifestFolder;
  before(async () => {
    examples = await loadManifestFolder(EXAMPLES_DIR);
    assert.deepEqual(examples.problems, []);
  });

  const poolsWith = (edges: [string, string][], drainCapSeconds?: number) =>
    desiredLocalPools({
      manifests: examples,
      edges: new Map(edges),
      ...(drainCapSeconds !== undefined ? { drainCapSeconds } : {}),
    }).pools;

  it('lists the regions in the order the manifests name them', () => {
    assert.deepEqual(regionsOf(examples.agents), ['us-east-1', 'eu-west-1']);
  });

  it("points each pool's nodes at its own region's edge", () => {
    const edgeOf = Object.fromEntries(
      poolsWith([
        ['us-east-1', US],
        ['eu-west-1', EU],
      ]).map((p) => [p.key, (p.config.edge as { uri: string }).uri]),
    );
    assert.deepEqual(edgeOf, {
      'default/front-desk/us-east-1': US,
      'default/order-status/us-east-1': US,
      'default/order-status/eu-west-1': EU,
    });
  });

  it('plans no pool for a region whose edge is not up yet, rather than one aimed at another edge', () => {
    assert.deepEqual(
      poolsWith([['us-east-1', US]]).map((p) => p.key),
      ['default/front-desk/us-east-1', 'default/order-status/us-east-1'],
    );
  });

  for (const [cap, expected] of [
    [undefined, 3600],
    [20, 20],
    [0, 0],
    [7200, 3600],
  ] as const) {
    it(`drains for the agent's drainTimeoutSeconds capped locally (cap ${cap ?? 'none'} -> ${expected} s)`, () => {
      const [pool] = poolsWith([['us-east-1', US]], cap);
      assert.equal(pool?.drainSeconds, expected);
      assert.deepEqual(pool?.config.drain, { deadlineSeconds: expected });
    });
  }

  it('rolls the pool (a new config hash) when the drain cap changes, not when nothing does', () => {
    const hash = (cap?: number) => poolsWith([['us-east-1', US]], cap)[0]?.configHash;
    assert.equal(hash(), hash());
    assert.notEqual(hash(), hash(20));
  });
});
