/**
 * sipp callers against one media-node process: each call streams espeak-rendered speech (a
 * question, then silence, looped) as RTP; the node's pocketsphinx STT hears it and the scripted
 * agent answers. sipp reports no RTP statistics, so the node's events and metrics are the check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { renderTurnUlaw } from './audio/speech.js';
import { runSippLoad, sippMissing } from './harness/sipp.js';
import { waitFor } from '@voicefleet/devtools/processes';
import { startMediaNode, type RunningNode } from './media-node-process.js';
import { sampleValue } from './harness/prom-text.js';

const HOURS = 'On Saturday we open at nine in the morning and close at one.';
const skip = sippMissing() ?? false;

describe('media node: sipp callers with real audio', { timeout: 120_000, skip }, () => {
  let node: RunningNode;
  before(async () => {
    node = await startMediaNode();
  });
  after(async () => {
    await node?.stop();
  });

  it('three concurrent sipp calls are each heard, understood and answered', async () => {
    const audio = await renderTurnUlaw(node.dir, 'turn', 'what time do you open on saturday', 2.5);
    const result = await runSippLoad({
      target: `127.0.0.1:${node.sipPort}`,
      number: '+14155550100',
      calls: 3,
      rate: 3,
      limit: 3,
      holdMs: 9000,
      scenario: 'media-uac-agent.xml',
      keys: { audio },
      timeoutSeconds: 60,
    });
    assert.equal(result.failed, 0);
    assert.equal(result.successful, 3);
    const ended = await waitFor(
      () => {
        const e = node.events.filter((x) => x.type === 'call.ended');
        return e.length === 3 ? e : undefined;
      },
      { message: 'three calls ended' },
    );
    for (const { callId } of ended) {
      const events = node.events.filter((e) => e.callId === callId);
      assert.ok(
        events.some(
          (e) =>
            e.type === 'transcript' &&
            e.role === 'caller' &&
            e.text === 'what time do you open on saturday',
        ),
        `caller understood on ${callId}`,
      );
      assert.ok(
        events.some((e) => e.type === 'transcript' && e.role === 'agent' && e.text === HOURS),
      );
      assert.ok(events.some((e) => e.type === 'turn'));
    }
    const metrics = await node.metrics();
    const served = { namespace: 'default', agent: 'front-desk', region: 'local' };
    assert.equal(sampleValue(metrics, 'voicefleet_rtp_packets_lost_total', served), 0);
    assert.equal(
      sampleValue(metrics, 'voicefleet_calls_total', {
        ...served,
        direction: 'inbound',
        outcome: 'completed',
      }),
      3,
    );
  });
});
