import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createEventRecorder } from './events.js';
import { fakeRest } from './fake-rest.test-support.js';
import { createOperatorMetrics } from '../runtime/metrics.js';

const target = {
  apiVersion: 'voicefleet.io/v1alpha1',
  kind: 'VoiceAgent',
  namespace: 'default',
  name: 'a',
  uid: 'u1',
};

describe('event recorder', () => {
  it('creates an Event, bumps its count on a repeat, and creates another for a new message', async () => {
    let n = 0;
    const rest = fakeRest((req) =>
      req.method === 'POST' ? { metadata: { name: `a.${++n}` } } : {},
    );
    const rec = createEventRecorder(
      new KubeConfig(),
      createOperatorMetrics({ defaultMetrics: false }),
      'voicefleet-operator',
      rest,
    );
    const t = new Date('2026-01-01T00:00:00Z');
    const ev = {
      type: 'Warning' as const,
      reason: 'NumberConflict',
      message: 'claimed by default/b',
    };
    await rec.record(target, ev, t);
    await rec.record(target, ev, new Date(t.getTime() + 1000));
    await rec.record(target, { ...ev, message: 'other' }, new Date(t.getTime() + 2000));
    assert.deepEqual(
      rest.requests.map((r) => [r.method, r.path]),
      [
        ['POST', '/api/v1/namespaces/default/events'],
        ['PATCH', '/api/v1/namespaces/default/events/a.1'],
        ['POST', '/api/v1/namespaces/default/events'],
      ],
    );
    assert.deepEqual((rest.requests[1]?.body as { count: number }).count, 2);
    const created = rest.requests[0]?.body as { involvedObject: { uid: string }; reason: string };
    assert.equal(created.involvedObject.uid, 'u1');
    assert.equal(created.reason, 'NumberConflict');
  });
});
