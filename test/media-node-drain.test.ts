// Drain of the media-node process (bin/media-node): a node exits within seconds of SIGTERM once
// nothing is in progress, also after a call whose answer a CANCEL crossed; while something is in
// progress, /status and the logs say what, and the node exits as soon as it is done.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSippUac, sippMissing } from './harness/sipp-scenario.js';
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

describe('media node drain', { timeout: 120_000 }, () => {
  it(
    'exits within seconds of SIGTERM after a call whose answer a CANCEL crossed',
    {
      skip: sippMissing() ?? false,
    },
    async () => {
      const node = await startMediaNode();
      try {
        const [port = 0, mediaPort = 0] = await freePorts(2);
        const sipp = await runSippUac({
          scenario: 'race-cancel-crossing-2xx.xml',
          target: `127.0.0.1:${node.sipPort}`,
          port,
          mediaPort,
          extra: ['-trace_err'],
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
