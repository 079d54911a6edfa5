// Ctrl-C on `voicefleet dev` with a call up: the fleet drains as a cluster would, keeping the call
// for the agent's drainTimeoutSeconds (or the local cap, --drain-timeout), then the agent hangs up
// with BYE and the CLI exits 0.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devFleetSkipReason, holdCall, startDevFleet, type HeldCall } from './harness/dev-fleet.js';

const EXAMPLES = ['front-desk.yaml', 'carrier-trunk.yaml'];

async function drainWithCallUp(options: {
  drainTimeoutSeconds?: number;
  args?: string[];
}): Promise<{ byeAfterMs: number; exitCode: number | null; log: string }> {
  const fleet = await startDevFleet({
    examples: EXAMPLES,
    readyNodes: 1,
    ...(options.args ? { args: options.args } : {}),
    edit: (file, text) =>
      file === 'front-desk.yaml' && options.drainTimeoutSeconds !== undefined
        ? text.replace(
            'drainTimeoutSeconds: 3600',
            `drainTimeoutSeconds: ${options.drainTimeoutSeconds}`,
          )
        : text,
  });
  let call: HeldCall | undefined;
  try {
    const edge = (await fleet.state())!.edges[0]!.sipUri;
    call = await holdCall(edge, '+14155550100');
    await new Promise((r) => setTimeout(r, 1500)); // the node's /status has counted the call
    const interruptedAt = performance.now();
    const exiting = fleet.interrupt(90_000);
    const byeAt = await Promise.race([
      call.byeAt,
      exiting.then(() => performance.now() + 1e9), // exited without ever hanging up
    ]);
    const exit = await exiting;
    return { byeAfterMs: byeAt - interruptedAt, exitCode: exit.code, log: await fleet.log() };
  } finally {
    await call?.hangUp();
    await fleet.remove();
  }
}

describe(
  'voicefleet dev drains calls on Ctrl-C',
  { skip: devFleetSkipReason(), timeout: 300_000 },
  () => {
    it("keeps a call up for the agent's drainTimeoutSeconds, then ends it with BYE", async () => {
      const r = await drainWithCallUp({ drainTimeoutSeconds: 14 });
      assert.ok(
        r.byeAfterMs > 13_000,
        `the call lasted the drain (BYE after ${Math.round(r.byeAfterMs)} ms)\n${r.log}`,
      );
      assert.ok(
        r.byeAfterMs < 20_000,
        `the agent hung up at the deadline (BYE after ${Math.round(r.byeAfterMs)} ms)`,
      );
      assert.match(r.log, /draining 1 call\(s\): they may go on for up to 14 s/);
      assert.equal(r.exitCode, 0, r.log);
    });

    it('caps the drain locally with --drain-timeout', async () => {
      const r = await drainWithCallUp({ args: ['--drain-timeout', '2'] });
      assert.ok(
        r.byeAfterMs > 1_500 && r.byeAfterMs < 6_000,
        `BYE about 2 s after Ctrl-C (after ${Math.round(r.byeAfterMs)} ms)\n${r.log}`,
      );
      assert.equal(r.exitCode, 0, r.log);
    });
  },
);
