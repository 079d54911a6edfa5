import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOperatorMetrics } from './metrics.js';
import { startOpsServer } from './ops-server.js';

describe('ops server', () => {
  it('serves healthz, readyz once caches synced, and the operator metrics', async () => {
    let synced = false;
    const metrics = createOperatorMetrics({ defaultMetrics: false });
    metrics.reconcileTotal.inc({ controller: 'voiceagent', result: 'success' });
    const ops = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      ready: () => synced,
    });
    try {
      const url = (p: string) => `http://127.0.0.1:${ops.port}${p}`;
      assert.equal((await fetch(url('/healthz'))).status, 200);
      assert.equal((await fetch(url('/readyz'))).status, 503);
      synced = true;
      assert.equal((await fetch(url('/readyz'))).status, 200);
      const text = await (await fetch(url('/metrics'))).text();
      assert.match(
        text,
        /voicefleet_operator_reconcile_total\{controller="voiceagent",result="success"\} 1/,
      );
      assert.equal((await fetch(url('/nope'))).status, 404);
    } finally {
      await ops.close();
    }
  });
});
