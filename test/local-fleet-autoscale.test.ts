// `voicefleet dev` sizes each pool with the operator's policy: a node starts the moment held calls
// through the edge eat into the buffer, none while the free slots cover it, and once the calls
// end and the stabilization window passes the emptiest node drains while the busy one keeps its
// call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@voicefleet/devtools/processes';
import { devFleetSkipReason, holdCall, startDevFleet, type HeldCall } from './harness/dev-fleet.js';

const POOL = 'default/front-desk/us-east-1';

describe(
  'voicefleet dev autoscales on calls',
  { skip: devFleetSkipReason(), timeout: 240_000 },
  () => {
    it('starts a node when calls fill the buffer and drains the emptiest once they end', async () => {
      const fleet = await startDevFleet({
        examples: ['front-desk.yaml', 'carrier-trunk.yaml'],
        readyNodes: 1,
        edit: (file, text) =>
          file === 'front-desk.yaml'
            ? text
                .replace('callsPerPod: 50', 'callsPerPod: 2')
                .replace('bufferCalls: 10', 'bufferCalls: 1')
                .replace('scaleDownStabilizationSeconds: 300', 'scaleDownStabilizationSeconds: 2')
            : text,
      });
      const calls: HeldCall[] = [];
      try {
        const nodes = async () =>
          ((await fleet.state())?.nodes ?? []).filter((n) => n.poolKey === POOL);
        const edge = (await fleet.state())!.edges[0]!.sipUri;
        assert.equal((await nodes()).length, 1);

        // One call and a buffer of one fill a node of two: no second node.
        calls.push(await holdCall(edge, '+14155550100'));
        await sleep(2500);
        assert.equal((await nodes()).length, 1, 'no node starts while the buffer is free');

        // The second call eats into the buffer: a second node at once.
        calls.push(await holdCall(edge, '+14155550100'));
        await waitFor(async () => (await nodes()).filter((n) => n.phase === 'ready').length === 2, {
          timeoutMs: 30_000,
          message: `a second ready node\n${await fleet.log()}`,
        });
        assert.match(await fleet.log(), /pool default\/front-desk\/us-east-1: 1 -> 2 media nodes/);
        await waitFor(async () => (await fleet.lastTable()).join('\n').includes('2/2'), {
          timeoutMs: 5000,
          message: 'the status table shows two of two nodes',
        });

        // Both calls are on the first node (a node takes callsPerPod calls). One ends: one call and
        // the buffer fit one node, so after the 2 s window the new, empty node drains and exits,
        // and the call on the first node goes on.
        const [first] = await nodes();
        let firstEnded = false;
        void calls[0]!.byeAt.then(() => (firstEnded = true));
        await calls.pop()!.hangUp();
        await waitFor(
          async () =>
            /pool default\/front-desk\/us-east-1: 2 -> 1 media nodes/.test(await fleet.log()),
          {
            timeoutMs: 20_000,
            message: 'the pool shrinks',
          },
        );
        await waitFor(async () => (await nodes()).length === 1, {
          timeoutMs: 20_000,
          message: 'the surplus node drained and exited',
        });
        assert.equal((await nodes())[0]?.id, first?.id, 'the node with the call stays');
        assert.equal(firstEnded, false, 'the call on the remaining node is still up');
      } finally {
        for (const c of calls) await c.hangUp();
        await fleet.remove();
      }
    });
  },
);
