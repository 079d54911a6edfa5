import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LATENCY_BUCKETS_MS } from '@voicefleet/api';
import { createNodeMetrics } from './metrics.js';

describe('media-node metrics', () => {
  it('exports an le series for every SLO threshold a VoiceAgent may state', async () => {
    const m = createNodeMetrics({ defaultMetrics: false });
    m.callSetupSeconds.observe(0.2);
    m.turnStageSeconds.observe({ stage: 'total' }, 0.7);
    const text = await m.registry.metrics();
    for (const ms of LATENCY_BUCKETS_MS) {
      const le = String(ms / 1000);
      assert.match(text, new RegExp(`voicefleet_call_setup_seconds_bucket\\{le="${le}"\\}`));
      assert.match(
        text,
        new RegExp(`voicefleet_turn_stage_seconds_bucket\\{le="${le}",stage="total"\\}`),
      );
    }
  });

  it('exports every turn stage at zero before the first turn, so rate() counts that turn', async () => {
    const text = await createNodeMetrics({ defaultMetrics: false }).registry.metrics();
    for (const stage of ['stt', 'llm', 'tts', 'rtp', 'total'])
      assert.match(text, new RegExp(`voicefleet_turn_stage_seconds_count\\{stage="${stage}"\\} 0`));
  });

  it('labels every series with the namespace, agent and region it serves', async () => {
    const m = createNodeMetrics({
      labels: { namespace: 'clinic', agent: 'front-desk', region: 'eu-west-1' },
    });
    m.callsTotal.inc({ direction: 'inbound', outcome: 'completed' });
    m.activeCalls.set(2);
    const samples = (await m.registry.metrics())
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.ok(samples.length > 20);
    for (const line of samples)
      assert.match(line, /\{[^}]*namespace="clinic",agent="front-desk",region="eu-west-1"/, line);
  });
});
