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
});
