// The harness installs the CRDs as `kubectl apply` would: on its API server every CEL rule,
// list-map key and default of crds/ is in effect.
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validAgent } from '../../api/src/testing/rejection-cases.js';
import { controlPlaneSkipReason } from './control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { installCrds, readCrds, readLiveCrd } from './crds.js';

/** How often each schema extension occurs in a CRD: rules, list-map keys and defaults. */
function extensions(node: unknown, counts = { rules: 0, mapKeys: 0, defaults: 0 }) {
  if (Array.isArray(node)) for (const item of node) extensions(item, counts);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'x-kubernetes-validations' && Array.isArray(value)) counts.rules += value.length;
      if (key === 'x-kubernetes-list-map-keys') counts.mapKeys++;
      if (key === 'default') counts.defaults++;
      extensions(value, counts);
    }
  }
  return counts;
}

describe('CRDs on the harness API server', { skip: controlPlaneSkipReason() }, () => {
  let plane: ControlPlane;
  let custom: CustomObjectsApi;
  const agents = { group: 'voicefleet.io', version: 'v1alpha1', plural: 'voiceagents' };

  before(async () => {
    plane = await startControlPlane({ controllerManager: false });
    await installCrds(plane.kubeConfig);
    custom = plane.kubeConfig.makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await plane?.stop();
  });

  test('keeps every CEL rule, list-map key and default of crds/', async () => {
    for (const crd of readCrds()) {
      const name = crd.metadata?.name ?? '';
      const want = extensions((crd as { spec?: unknown }).spec);
      assert.ok(want.rules > 0 && want.defaults > 0, `${name} has rules and defaults`);
      const live = (await readLiveCrd(plane.kubeConfig, name)) as { spec?: unknown };
      assert.deepEqual(extensions(live.spec), want, name);
    }
  });

  test('fills a default the agent left out and rejects what a CEL rule forbids', async () => {
    const created = (await custom.createNamespacedCustomObject({
      ...agents,
      namespace: 'default',
      body: validAgent('no-capacity'),
    })) as { spec: { capacity?: unknown } };
    assert.deepEqual(created.spec.capacity, {
      callsPerPod: 50,
      bufferCalls: 10,
      bufferPercent: 0,
      scaleDownStabilizationSeconds: 300,
      scaling: 'operator',
    });

    const bad = validAgent('min-above-max');
    (bad.spec as { regions: unknown }).regions = [
      { name: 'us-east-1', minReplicas: 5, maxReplicas: 2 },
    ];
    await assert.rejects(
      custom.createNamespacedCustomObject({ ...agents, namespace: 'default', body: bad }),
      (error: unknown) =>
        error instanceof ApiException &&
        error.code === 422 &&
        String(error.body).includes('minReplicas must be less than or equal to maxReplicas'),
    );
  });
});
