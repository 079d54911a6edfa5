import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantityValue } from '@voicefleet/api';
import { MEDIA_NODE_COST, mediaPodResources } from './pod-resources.js';

const MiB = 2 ** 20;

describe('mediaPodResources', () => {
  it('sizes CPU and memory from the calls per pod, with no CPU limit and memory headroom', () => {
    const small = mediaPodResources(10, undefined);
    const large = mediaPodResources(200, undefined);
    const c = MEDIA_NODE_COST;
    const millicores = (calls: number) =>
      `${Math.ceil(c.cpuMillicoresAtZeroCalls + calls * c.cpuMillicoresPerCall)}m`;
    assert.equal(small.requests?.cpu, millicores(10));
    assert.equal(large.requests?.cpu, millicores(200));
    assert.ok(
      quantityValue(String(large.requests?.memory)) > quantityValue(String(small.requests?.memory)),
    );
    assert.equal(large.limits?.cpu, undefined, 'no CPU limit: it would throttle the 20 ms pacing');
    const request = quantityValue(String(large.requests?.memory)) / MiB;
    const limit = quantityValue(String(large.limits?.memory)) / MiB;
    assert.ok(limit >= 1.5 * request - 1 && limit <= 1.5 * request + 1, `${limit} vs ${request}`);
    assert.ok(large.requests?.['ephemeral-storage'] !== undefined);
  });

  it('keeps every quantity the agent gives, in the API server’s form', () => {
    const r = mediaPodResources(50, {
      requests: { cpu: '0.5', memory: '1024Mi' },
      limits: { cpu: '2', memory: '2Gi' },
    });
    assert.deepEqual(r.requests?.cpu, '500m');
    assert.deepEqual(r.requests?.memory, '1Gi');
    assert.deepEqual(r.limits, { cpu: '2', memory: '2Gi' });
  });

  it('never writes a default request above the agent’s limit, or a default limit below its request', () => {
    const lowLimits = mediaPodResources(500, { limits: { cpu: '100m', memory: '64Mi' } });
    assert.equal(lowLimits.requests?.cpu, '100m');
    assert.equal(lowLimits.requests?.memory, '64Mi');
    const highRequest = mediaPodResources(10, { requests: { memory: '8Gi' } });
    assert.equal(highRequest.limits?.memory, '8Gi');
    for (const r of [lowLimits, highRequest]) {
      for (const k of ['cpu', 'memory'] as const) {
        const limit = r.limits?.[k];
        if (limit !== undefined)
          assert.ok(quantityValue(String(limit)) >= quantityValue(String(r.requests?.[k])), k);
      }
    }
  });
});
