// SIP races and edge cases of RFC 3261, 3311 and 4028 against a real media node, with real sipp
// as the caller: straight to the node and through the edge (a real Kamailio with the chart's
// configuration), each with the node's event loop running free and stalled on purpose (what the
// RTP thread answers on arrival is then handed over while every later request of the call waits
// behind the stall). After each scenario the node must drain to its end within seconds: a node
// that drains slower holds something it should not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import {
  EdgeWriter,
  KamailioRpcClient,
  desiredRoutingState,
  type EndpointSliceLike,
} from '../operator/src/edge/index.js';
import type { RunningServer } from '../media-node/src/node/server.js';
import {
  startInProcessNode,
  stallEvery,
  type InProcessNodeOptions,
} from './harness/in-process-node.js';
import { edgeAgent, edgeSlices, edgeTrunk } from './harness/kamailio-fixtures.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';
import { runSippScenario, sippMissing } from './harness/sipp.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';

const NUMBER = '+14155550100';
/** A drain of a node with nothing in progress ends within this (its poll is 200 ms). */
const DRAIN_MS = 3_000;

interface Scenario {
  file: string;
  node?: InProcessNodeOptions;
  /** Why the scenario does not run through the edge. */
  notThroughEdge?: string;
}

/** Session timers accepted down to 2 s, so that a refresh or an expiry happens within seconds. */
const SHORT_SESSIONS = { expiresSeconds: 1800, minSeconds: 2 };

const SCENARIOS: Scenario[] = [
  { file: 'race-cancel-before-2xx', node: { env: { VOICEFLEET_ANSWER_DELAY_MS: '1500' } } },
  {
    file: 'race-cancel-crossing-2xx',
    notThroughEdge:
      'the edge answers the CANCEL itself (RFC 3261 §16.10), so its 200 and the node’s 200 to the INVITE reach sipp in either order, and the crossing happens between the edge and the node',
  },
  { file: 'race-cancel-after-2xx' },
  { file: 'race-bye-before-ack' },
  // T1 100 ms: Timer H (64 x T1) fires after 6.4 s instead of 32 s
  { file: 'race-ack-lost', node: { sip: { timerValues: { t1: 100, t2: 4000, t4: 5000 } } } },
  { file: 'race-invite-after-2xx' },
  { file: 'race-reinvite-no-sdp' },
  { file: 'race-delayed-offer' },
  // Session-Expires 4 s: the node refreshes at 2 s
  {
    file: 'race-reinvite-glare',
    node: { sip: { sessionTimer: SHORT_SESSIONS } },
    notThroughEdge:
      'sipp must answer the node’s re-INVITE right after sending its own, and the edge’s 100 Trying to the latter comes in between',
  },
  { file: 'race-reinvite-before-ack' },
  { file: 'race-info-before-ack' },
  { file: 'race-refresh-update' },
  { file: 'race-refresh-reinvite' },
  // Session-Expires 4 s and 3 s (below RFC 4028's 90 s minimum, for the test)
  { file: 'race-refresh-by-node', node: { sip: { sessionTimer: SHORT_SESSIONS } } },
  { file: 'race-refresh-by-node-reinvite', node: { sip: { sessionTimer: SHORT_SESSIONS } } },
  { file: 'race-session-expires', node: { sip: { sessionTimer: SHORT_SESSIONS } } },
  {
    file: 'race-cancel-unknown',
    notThroughEdge: 'the edge drops a CANCEL that matches none of its transactions',
  },
  {
    file: 'race-bye-unknown',
    notThroughEdge: 'the edge answers an in-dialog request without a route itself',
  },
];

const missing = sippMissing() ?? (kamailioAvailable() ? undefined : 'kamailio not installed');
if (missing !== undefined && process.env['CI'] === 'true') throw new Error(missing);

describe('SIP conformance of the media node', { skip: missing ?? false, timeout: 900_000 }, () => {
  let kam: KamailioInstance;
  let writer: EdgeWriter;
  let nodeSipPort = 0;

  before(async () => {
    [nodeSipPort = 0] = await freePorts(1);
    kam = await startKamailio();
    writer = new EdgeWriter(
      new KamailioRpcClient({ name: 'test', rpcUrl: kam.rpcUrl, token: kam.token }),
    );
    const agents: VoiceAgent[] = [edgeAgent('front-desk', [NUMBER])];
    const trunks: SipTrunk[] = [edgeTrunk('carrier-in', [{ name: 'in', port: 5999 }])];
    const slices: EndpointSliceLike[] = edgeSlices('front-desk', [
      { name: 'pod-0', port: nodeSipPort },
    ]);
    const desired = desiredRoutingState({
      agents,
      trunks,
      endpointSlices: slices,
      drainMarks: new Set(),
      credentials: new Map(),
      region: { region: 'local', peerEdges: [] },
      setIds: new Map(),
    });
    await writer.sync(desired.state);
  });

  after(async () => {
    await kam?.stop();
  });

  /**
   * Waits until the edge's probes see the node up (`up`) or gone: each scenario starts a node of
   * its own on the same port, and the edge must not take the last one's state for the next's.
   */
  async function edgeSeesNode(up: boolean): Promise<void> {
    const uri = `sip:127.0.0.1:${nodeSipPort}`;
    await waitFor(
      async () => (await writer.health()).some((h) => h.uri === uri && (h.flag === 'A') === up),
      { timeoutMs: 10_000, message: up ? 'the edge routes to the node' : 'the edge saw it go' },
    );
  }

  async function run(
    scenario: Scenario,
    target: string,
    stalled: boolean,
    nodeLog: readonly string[],
  ): Promise<void> {
    const [callerPort = 0, mediaPort = 0] = await freePorts(2);
    const stalls = stalled ? stallEvery(250, 300) : undefined;
    let result;
    try {
      result = await runSippScenario({
        scenario: `${scenario.file}.xml`,
        target,
        port: callerPort,
        mediaPort,
        service: NUMBER,
        extra: ['-trace_err'],
        timeoutMs: 30_000,
      });
    } finally {
      stalls?.stop();
    }
    assert.equal(result.code, 0, `${result.output}\nthe node's log:\n${nodeLog.join('')}`);
  }

  async function drainsPromptly(node: RunningServer): Promise<void> {
    const started = performance.now();
    const drained = new Promise<{ reason: string }>((resolve) =>
      node.node.once('drained', resolve),
    );
    node.node.drain();
    const done = await Promise.race([
      drained,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), DRAIN_MS)),
    ]);
    const status = JSON.stringify(node.node.status());
    assert.ok(done, `the node did not drain within ${DRAIN_MS} ms: ${status}`);
    assert.equal(done.reason, 'empty', status);
    assert.ok(performance.now() - started < DRAIN_MS);
  }

  for (const via of ['node', 'edge'] as const) {
    for (const stalled of [false, true]) {
      for (const scenario of SCENARIOS) {
        const name = `${scenario.file}, ${via === 'node' ? 'to the node' : 'through the edge'}${stalled ? ', event loop stalled' : ''}`;
        // What cannot run through the edge (`notThroughEdge` says why) is not registered there,
        // so a CI summary never shows a skip for it.
        if (via === 'edge' && scenario.notThroughEdge) continue;
        it(name, async () => {
          const logLines: string[] = [];
          const node = await startInProcessNode({
            ...scenario.node,
            sipPort: nodeSipPort,
            logLines,
          });
          try {
            if (via === 'edge') await edgeSeesNode(true);
            const target = via === 'node' ? `127.0.0.1:${nodeSipPort}` : `127.0.0.1:${kam.sipPort}`;
            await run(scenario, target, stalled, logLines);
            await drainsPromptly(node);
          } finally {
            await node.close();
            if (via === 'edge') await edgeSeesNode(false);
          }
        });
      }
    }
  }
});
