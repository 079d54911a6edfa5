// Drain of the media-node process (bin/media-node): a node exits within seconds of SIGTERM once
// nothing is in progress, also right after the SIP races that used to leave it waiting (a CANCEL
// that crossed the answer, a BYE before the ACK, ...); while something is in progress, /status
// and the logs say what, and the node exits as soon as it is done.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSippScenario, sippMissing } from './harness/sipp.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import { TestCaller } from './media-node-caller.js';
import { startMediaNode, type RunningNode } from './media-node-process.js';

const EXIT_MS = 3_000;

async function exitsWithin(node: RunningNode, ms: number): Promise<number> {
  const started = performance.now();
  const code = await Promise.race([
    node.exitCode,
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms)),
  ]);
  assert.equal(code, 0, `exit code after ${ms} ms; log: ${node.logs.join('').slice(-2000)}`);
  return performance.now() - started;
}

/**
 * sipp scenarios (test/sipp/) after which the node holds nothing: each ends its call or never
 * starts one, and SIGTERM right after must end the process within seconds.
 */
const AFTER: Array<{ scenario: string; env?: Record<string, string>; timeoutMs?: number }> = [
  { scenario: 'race-cancel-crossing-2xx' },
  // the node answers after 1.5 s, so the CANCEL finds the INVITE unanswered
  { scenario: 'race-cancel-before-2xx', env: { VOICEFLEET_ANSWER_DELAY_MS: '1500' } },
  { scenario: 'race-cancel-after-2xx' },
  { scenario: 'race-bye-before-ack' },
  // the node's 200 until Timer H (64 x T1 = 32 s), then its BYE
  { scenario: 'race-ack-lost', timeoutMs: 45_000 },
  { scenario: 'race-invite-after-2xx' },
  { scenario: 'race-reinvite-before-ack' },
  { scenario: 'race-info-before-ack' },
  { scenario: 'race-reinvite-no-sdp' },
  { scenario: 'race-delayed-offer' },
  { scenario: 'race-refresh-update' },
  { scenario: 'race-refresh-reinvite' },
  { scenario: 'race-cancel-unknown' },
  { scenario: 'race-bye-unknown' },
  // race-reinvite-glare, race-refresh-by-node(-reinvite) and race-session-expires need session
  // timers of a few seconds, which bin/media-node does not take (90 s at least);
  // test/sip-conformance.test.ts drains the node after them.
];

describe('media node drain', { timeout: 300_000 }, () => {
  for (const { scenario, env, timeoutMs } of AFTER) {
    it(
      `exits within seconds of SIGTERM after ${scenario}`,
      { skip: sippMissing() ?? false },
      async () => {
        const node = await startMediaNode({}, env);
        try {
          const [port = 0, mediaPort = 0] = await freePorts(2);
          const sipp = await runSippScenario({
            scenario: `${scenario}.xml`,
            target: `127.0.0.1:${node.sipPort}`,
            port,
            mediaPort,
            extra: ['-trace_err'],
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
          });
          assert.equal(sipp.code, 0, sipp.output);
          node.child.kill('SIGTERM');
          await exitsWithin(node, EXIT_MS);
          assert.match(node.logs.join(''), /"msg":"media node exiting".*"reason":"drained-empty"/);
        } finally {
          await node.stop();
        }
      },
    );
  }

  it('says in /status and the logs what it waits for, and exits once that is done', async () => {
    const node = await startMediaNode();
    const caller = await TestCaller.create(node.sipPort);
    try {
      const ok = await caller.invite({ ack: false }); // a 200 without its ACK yet
      assert.equal(ok.status, 200);
      assert.equal((await node.http('POST', '/drain')).status, 202);
      const status = JSON.parse((await node.http('GET', '/status')).body) as {
        draining: boolean;
        inProgress: Record<string, number>;
      };
      assert.equal(status.draining, true);
      assert.equal(status.inProgress['calls'], 1, JSON.stringify(status));
      assert.equal(status.inProgress['serverTransactions'], 1, 'the 200 waits for its ACK');
      await waitFor(
        () => /"msg":"drain started".*"serverTransactions":1/.test(node.logs.join('')),
        {
          message: 'the drain log says what it waits for',
        },
      );
      caller.ack();
      assert.equal((await caller.bye()).status, 200);
      await exitsWithin(node, EXIT_MS);
    } finally {
      caller.close();
      await node.stop();
    }
  });
});
