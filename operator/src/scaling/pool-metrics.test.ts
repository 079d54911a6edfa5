import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { PoolMetrics } from './pool-metrics.js';

const region = {
  name: 'us-east-1',
  desiredReplicas: 3,
  readyReplicas: 2,
  activeCalls: 91,
  drainingCalls: 4,
  capacity: 100,
  limited: 'MaxReplicas' as const,
};

describe('PoolMetrics', () => {
  it('exports each pool’s calls, sizes, limit and scale steps, and drops a gone agent’s series', async () => {
    const registry = new Registry();
    const m = new PoolMetrics(registry);
    m.observe('ns/desk', [region], [{ region: 'us-east-1', from: 2, to: 3 }]);
    const text = await registry.metrics();
    const pool = 'namespace="ns",agent="desk",region="us-east-1"';
    for (const line of [
      `voicefleet_pool_active_calls{${pool}} 91`,
      `voicefleet_pool_draining_calls{${pool}} 4`,
      `voicefleet_pool_capacity_calls{${pool}} 100`,
      `voicefleet_pool_desired_replicas{${pool}} 3`,
      `voicefleet_pool_ready_replicas{${pool}} 2`,
      `voicefleet_pool_limited{${pool},reason="MaxReplicas"} 1`,
      `voicefleet_pool_scale_events_total{${pool},direction="up"} 1`,
    ])
      assert.ok(text.includes(line), `${line} in\n${text}`);

    const { limited: _ended, ...unlimited } = region;
    m.observe('ns/desk', [unlimited], []);
    assert.ok(!(await registry.metrics()).includes('reason="MaxReplicas"'), 'a limit that ended');

    m.forget('ns/desk');
    assert.ok(!(await registry.metrics()).includes('agent="desk"'), 'series of a gone agent');
  });
});
