import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createApplier, withAppliedHash } from './apply.js';
import { fakeRest } from './fake-rest.test-support.js';
import { createOperatorMetrics } from '../runtime/metrics.js';

const desired = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'a-us-east-1', namespace: 'default', labels: { x: '1' } },
  data: { 'config.yaml': 'region: us-east-1\n' },
};

function setup() {
  const rest = fakeRest();
  const metrics = createOperatorMetrics({ defaultMetrics: false });
  return { rest, metrics, applier: createApplier(new KubeConfig(), metrics, 'voicefleet', rest) };
}

describe('applier', () => {
  it('applies with field manager voicefleet and force when the object does not exist', async () => {
    const { rest, applier } = setup();
    assert.equal(await applier.apply(desired, undefined), 'applied');
    assert.equal(rest.requests.length, 1);
    const req = rest.requests[0]!;
    assert.equal(req.method, 'PATCH');
    assert.equal(
      req.path,
      '/api/v1/namespaces/default/configmaps/a-us-east-1?fieldManager=voicefleet&force=true',
    );
    assert.equal(req.contentType, 'application/apply-patch+yaml');
  });

  it('sends nothing when the live object already holds the desired fields', async () => {
    const { rest, applier, metrics } = setup();
    const live = {
      ...withAppliedHash(desired),
      metadata: { ...withAppliedHash(desired).metadata, resourceVersion: '9', uid: 'u' },
    };
    assert.equal(await applier.apply(desired, live), 'unchanged');
    assert.equal(rest.requests.length, 0);
    assert.equal((await metrics.apiWrites.get()).values.length, 0);
  });

  it('applies again after drift or after a field was dropped from the desired object', async () => {
    const { rest, applier } = setup();
    const live = withAppliedHash(desired);
    const drifted = { ...live, data: { 'config.yaml': 'edited' } };
    assert.equal(await applier.apply(desired, drifted), 'applied');
    const fewer = { ...desired, metadata: { ...desired.metadata, labels: {} } };
    assert.equal(
      await applier.apply(fewer, live),
      'applied',
      'hash differs although live is a superset',
    );
    assert.equal(rest.requests.length, 2);
  });

  it('applies status on the status subresource', async () => {
    const { rest, applier } = setup();
    const target = {
      group: 'voicefleet.io',
      version: 'v1alpha1',
      plural: 'siptrunks',
      kind: 'SipTrunk',
      namespace: 'ns',
      name: 't',
    };
    await applier.applyStatus(target, { observedGeneration: 1 });
    assert.deepEqual(
      rest.requests.map((r) => [r.path, r.contentType]),
      [
        [
          '/apis/voicefleet.io/v1alpha1/namespaces/ns/siptrunks/t/status?fieldManager=voicefleet&force=true',
          'application/apply-patch+yaml',
        ],
      ],
    );
  });
});
