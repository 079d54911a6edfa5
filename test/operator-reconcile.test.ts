// The operator against a real API server and controller manager: children with owner
// references, drift repair, garbage collection, status after spec changes, number conflicts,
// SipTrunk credentials and a media pod no node has room for.
import { hasCondition, expectCondition } from '@voicefleet/api/testing';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { waitFor } from '@voicefleet/devtools/processes';
import {
  agentManifest,
  condition,
  customObjects,
  installCrds,
  startOperator,
  type OperatorProcess,
} from './operator-helpers.js';

describe('operator reconcile', { skip: controlPlaneSkipReason() }, () => {
  let plane: ControlPlane;
  let op: OperatorProcess;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let policy: PolicyV1Api;
  let cr: ReturnType<typeof customObjects>;

  before(async () => {
    plane = await startControlPlane();
    await installCrds(plane.kubeConfig);
    apps = plane.kubeConfig.makeApiClient(AppsV1Api);
    core = plane.kubeConfig.makeApiClient(CoreV1Api);
    policy = plane.kubeConfig.makeApiClient(PolicyV1Api);
    cr = customObjects(plane.kubeConfig);
    op = await startOperator(plane.kubeconfigPath, plane.dir, [
      '--regions',
      'us-east-1',
      '--no-leader-election',
    ]);
  });
  after(async () => {
    await op?.proc.stop();
    await plane?.stop();
  });

  const deploymentOf = (name: string) =>
    apps.readNamespacedDeployment({ name, namespace: 'default' });

  /** An agent of this test's own in us-east-1, once its Deployment exists and status is written. */
  async function reconciledAgent(name: string, number: string) {
    await cr.create('voiceagents', agentManifest(name, [number]));
    const deployment = await waitFor(() => deploymentOf(`${name}-us-east-1`), {
      timeoutMs: 30_000,
      message: `Deployment ${name}-us-east-1`,
    });
    await waitFor(
      async () => (await cr.get('voiceagents', name)).status?.observedGeneration === 1,
      { timeoutMs: 30_000, message: `${name}: status.observedGeneration 1` },
    );
    return deployment;
  }

  test('creates the media pool children with owner references, and status for the agent', async () => {
    const agent = await cr.create(
      'voiceagents',
      agentManifest('front-desk', ['+14155550100'], { regions: ['us-east-1', 'eu-west-1'] }),
    );
    const dep = await waitFor(() => deploymentOf('front-desk-us-east-1'), {
      timeoutMs: 30_000,
      message: 'Deployment',
    });
    const [cm, svc, pdb] = await Promise.all([
      core.readNamespacedConfigMap({ name: 'front-desk-us-east-1', namespace: 'default' }),
      core.readNamespacedService({ name: 'front-desk-us-east-1', namespace: 'default' }),
      policy.readNamespacedPodDisruptionBudget({
        name: 'front-desk-us-east-1',
        namespace: 'default',
      }),
    ]);
    for (const child of [dep, cm, svc, pdb]) {
      const owner = child.metadata?.ownerReferences?.[0];
      assert.equal(owner?.uid, agent.metadata?.uid);
      assert.equal(owner?.controller, true);
      assert.equal(owner?.blockOwnerDeletion, true);
    }
    assert.equal(svc.spec?.clusterIP, 'None');
    assert.match(cm.data?.['config.yaml'] ?? '', /region: us-east-1/);
    await assert.rejects(
      deploymentOf('front-desk-eu-west-1'),
      'no pool for a region this instance does not own',
    );

    const withStatus = await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'front-desk');
        return a.status?.observedGeneration === 1 ? a : undefined;
      },
      { timeoutMs: 30_000, message: 'status.observedGeneration 1' },
    );
    assert.deepEqual(
      withStatus.status?.regions?.map((r) => [r.name, r.desiredReplicas, r.readyReplicas]),
      [['us-east-1', 1, 0]],
    );
    assert.equal(
      condition(withStatus, 'Ready')?.reason,
      'PodsNotReady',
      'no kubelet here: pods stay pending',
    );
    assert.match(
      condition(withStatus, 'Ready')?.message ?? '',
      /not run by this operator: eu-west-1/,
    );
  });

  test('repairs drift: edited replicas and image come back, a deleted ConfigMap is recreated', async () => {
    const image = (await reconciledAgent('drifted', '+14155550130')).spec?.template.spec
      ?.containers[0]?.image;
    // Read, edit, replace; the controllers may write the Deployment in between (409): read again.
    await waitFor(
      async () => {
        const edited: V1Deployment = structuredClone(await deploymentOf('drifted-us-east-1'));
        edited.spec!.replicas = 4;
        edited.spec!.template.spec!.containers[0]!.image = 'someone/else:1';
        await apps.replaceNamespacedDeployment({
          name: 'drifted-us-east-1',
          namespace: 'default',
          body: edited,
        });
        return true;
      },
      { timeoutMs: 10_000, message: 'the Deployment edited by hand' },
    );
    await core.deleteNamespacedConfigMap({ name: 'drifted-us-east-1', namespace: 'default' });
    await waitFor(
      async () => {
        const d = await deploymentOf('drifted-us-east-1');
        return d.spec?.replicas === 1 && d.spec.template.spec?.containers[0]?.image === image;
      },
      { timeoutMs: 30_000, message: 'Deployment restored' },
    );
    await waitFor(
      () => core.readNamespacedConfigMap({ name: 'drifted-us-east-1', namespace: 'default' }),
      {
        timeoutMs: 30_000,
        message: 'ConfigMap recreated',
      },
    );
  });

  test('a spec change rolls the config and moves observedGeneration', async () => {
    const before = await reconciledAgent('rolled', '+14155550131');
    const hash = before.spec?.template.metadata?.annotations?.['voicefleet.io/config-hash'];
    await cr.patch('voiceagents', 'rolled', {
      spec: { pipeline: { greeting: 'Good morning' } },
    });
    const updated = await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'rolled');
        return a.status?.observedGeneration === a.metadata?.generation &&
          (a.metadata?.generation ?? 0) > 1
          ? a
          : undefined;
      },
      { timeoutMs: 30_000, message: 'observedGeneration == generation after the change' },
    );
    assert.ok(
      updated.status?.conditions?.every(
        (c) =>
          (c as { observedGeneration?: number }).observedGeneration ===
          updated.metadata?.generation,
      ),
    );
    const after = await deploymentOf('rolled-us-east-1');
    assert.notEqual(
      after.spec?.template.metadata?.annotations?.['voicefleet.io/config-hash'],
      hash,
    );
    const cm = await core.readNamespacedConfigMap({
      name: 'rolled-us-east-1',
      namespace: 'default',
    });
    assert.match(cm.data?.['config.yaml'] ?? '', /Good morning/);
  });

  test('reports a number conflict on the newer agent and clears it when the older lets go', async () => {
    await cr.create(
      'voiceagents',
      agentManifest('older', ['+14155550111'], { minReplicas: 0, bufferCalls: 0 }),
    );
    await waitFor(
      async () => hasCondition(await cr.get('voiceagents', 'older'), 'Ready', { status: 'True' }),
      {
        timeoutMs: 30_000,
        message: 'older Ready',
      },
    );
    // creationTimestamp has one-second resolution: make the claims a second apart.
    await new Promise((r) => setTimeout(r, 1100));
    await cr.create(
      'voiceagents',
      agentManifest('newer', ['+14155550111', '+14155550112'], { minReplicas: 0, bufferCalls: 0 }),
    );
    const newer = await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'newer');
        return hasCondition(a, 'NumberConflict', { status: 'True' }) ? a : undefined;
      },
      { timeoutMs: 30_000, message: 'NumberConflict on newer' },
    );
    expectCondition(newer, 'NumberConflict', { status: 'True', message: /default\/older/ });
    expectCondition(newer, 'Ready', { status: 'False', reason: 'NumberConflict' });
    assert.equal(
      condition(await cr.get('voiceagents', 'older'), 'NumberConflict')?.status,
      'False',
    );
    const events = await waitFor(
      async () => {
        const list = await core.listNamespacedEvent({
          namespace: 'default',
          fieldSelector: 'involvedObject.name=newer',
        });
        const found = list.items.filter((e) => e.reason === 'NumberConflict');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 10_000, message: 'NumberConflict Event' },
    );
    assert.equal(events[0]?.type, 'Warning');
    assert.match(events[0]?.message ?? '', /default\/older/);
    assert.doesNotMatch(events[0]?.message ?? '', /\+1415/, 'Events carry no phone numbers');

    await cr.patch('voiceagents', 'older', { spec: { numbers: ['+14155550113'] } });
    await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'newer');
        return (
          hasCondition(a, 'Ready', { status: 'True' }) &&
          hasCondition(a, 'NumberConflict', { status: 'False' })
        );
      },
      { timeoutMs: 30_000, message: 'newer Ready after the older let go' },
    );
  });

  test('a SipTrunk without its Secret says what to create, then becomes Ready when it appears', async () => {
    await cr.create('siptrunks', {
      apiVersion: 'voicefleet.io/v1alpha1',
      kind: 'SipTrunk',
      metadata: { name: 'carrier-a', namespace: 'default' },
      spec: {
        gateways: [
          { name: 'primary', host: '127.0.0.1', port: 5070 },
          { name: 'backup', host: '127.0.0.2', port: 5070 },
        ],
        inbound: { sourceCidrs: ['127.0.0.0/8'] },
        outbound: { credentialsSecretRef: { name: 'carrier-a-credentials' } },
      },
    } as never);
    const missing = await waitFor(
      async () => {
        const t = await cr.get('siptrunks', 'carrier-a');
        return condition(t, 'Ready')?.reason === 'SecretNotFound' ? t : undefined;
      },
      { timeoutMs: 30_000, message: 'SecretNotFound' },
    );
    assert.match(
      condition(missing, 'Ready')?.message ?? '',
      /carrier-a-credentials.*username and password/,
    );
    const gateways = await waitFor(
      async () => (await cr.get('siptrunks', 'carrier-a')).status?.gateways,
      { timeoutMs: 30_000, message: 'gateway status initialised' },
    );
    assert.deepEqual(
      gateways.map((g) => [g.name, g.state]),
      [
        ['primary', 'Unknown'],
        ['backup', 'Unknown'],
      ],
    );

    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'carrier-a-credentials' }, stringData: { username: 'u' } },
    });
    await waitFor(
      async () =>
        condition(await cr.get('siptrunks', 'carrier-a'), 'Ready')?.reason === 'SecretKeyMissing',
      {
        timeoutMs: 30_000,
        message: 'SecretKeyMissing',
      },
    );
    await core.patchNamespacedSecret({
      name: 'carrier-a-credentials',
      namespace: 'default',
      body: [{ op: 'add', path: '/data/password', value: Buffer.from('p').toString('base64') }],
    });
    await waitFor(
      async () => hasCondition(await cr.get('siptrunks', 'carrier-a'), 'Ready', { status: 'True' }),
      {
        timeoutMs: 30_000,
        message: 'trunk Ready once the Secret is complete',
      },
    );
  });

  test('an agent naming a trunk that does not exist says so, and is Ready once the trunk appears', async () => {
    const agent = agentManifest('calls-out', ['+14155550120'], { minReplicas: 0, bufferCalls: 0 });
    agent.spec['trunks'] = ['carrier-z'];
    await cr.create('voiceagents', agent);
    const missing = await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'calls-out');
        return condition(a, 'Ready')?.reason === 'TrunkNotFound' ? a : undefined;
      },
      { timeoutMs: 30_000, message: 'TrunkNotFound' },
    );
    assert.match(
      condition(missing, 'Ready')?.message ?? '',
      /SipTrunk carrier-z in spec.trunks does not exist in namespace default; create it or remove it/,
    );
    await cr.create('siptrunks', {
      apiVersion: 'voicefleet.io/v1alpha1',
      kind: 'SipTrunk',
      metadata: { name: 'carrier-z', namespace: 'default' },
      spec: { gateways: [{ name: 'primary', host: '127.0.0.1', port: 5070 }] },
    } as never);
    await waitFor(
      async () => condition(await cr.get('voiceagents', 'calls-out'), 'Ready')?.status === 'True',
      { timeoutMs: 30_000, message: 'Ready once the trunk exists' },
    );
  });

  test('an agent whose LLM key Secret is missing says which Secret and key to create', async () => {
    const agent = agentManifest('keyed', ['+14155550121'], { minReplicas: 0, bufferCalls: 0 });
    (agent.spec['pipeline'] as Record<string, unknown>)['llm'] = {
      provider: 'openai',
      endpoint: 'http://127.0.0.1:9/v1',
      model: 'm',
      apiKeySecretRef: { name: 'llm-key', key: 'apiKey' },
    };
    await cr.create('voiceagents', agent);
    const reason = async () => condition(await cr.get('voiceagents', 'keyed'), 'Ready');
    await waitFor(async () => (await reason())?.reason === 'SecretNotFound', {
      timeoutMs: 30_000,
      message: 'SecretNotFound',
    });
    assert.match(
      (await reason())?.message ?? '',
      /Secret default\/llm-key .* create it with key apiKey/,
    );
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'llm-key' }, stringData: { token: 'x' } },
    });
    await waitFor(async () => (await reason())?.reason === 'SecretKeyMissing', {
      timeoutMs: 30_000,
      message: 'SecretKeyMissing',
    });
    await core.patchNamespacedSecret({
      name: 'llm-key',
      namespace: 'default',
      body: [{ op: 'add', path: '/data/apiKey', value: Buffer.from('k').toString('base64') }],
    });
    await waitFor(async () => (await reason())?.status === 'True', {
      timeoutMs: 30_000,
      message: 'Ready once the key exists',
    });
  });

  test('a child the API server refuses ends as Ready=False naming it, not as endless retries', async () => {
    // A Secret key with a space passes the CRD but not the Deployment's env validation (422).
    const agent = agentManifest('bad-key', ['+14155550122'], { minReplicas: 0, bufferCalls: 0 });
    (agent.spec['pipeline'] as Record<string, unknown>)['llm'] = {
      provider: 'openai',
      endpoint: 'http://127.0.0.1:9/v1',
      model: 'm',
      apiKeySecretRef: { name: 'llm-key', key: 'api key' },
    };
    await cr.create('voiceagents', agent);
    const rejected = await waitFor(
      async () => {
        const a = await cr.get('voiceagents', 'bad-key');
        return condition(a, 'Ready')?.reason === 'ChildRejected' ? a : undefined;
      },
      { timeoutMs: 30_000, message: 'ChildRejected' },
    );
    assert.match(
      condition(rejected, 'Ready')?.message ?? '',
      /rejected Deployment bad-key-us-east-1: .*secretKeyRef.key/,
    );
    const errors = () => op.metric('voicefleet_operator_reconcile_errors_total');
    const before = await errors();
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await errors(), before, 'the rejection is not retried');
  });

  test('a media pod no node has room for says so on the agent, quoting the scheduler', async () => {
    await cr.create('voiceagents', agentManifest('no-room', ['+14155550123']));
    // No scheduler runs here: the controller manager's pod stays Pending, and this patch says
    // about it what kube-scheduler says of a pod that fits no node.
    const pod = await waitFor(
      async () =>
        (
          await core.listNamespacedPod({
            namespace: 'default',
            labelSelector: 'voicefleet.io/agent=no-room',
          })
        ).items[0],
      { timeoutMs: 30_000, message: 'the pool has a pod' },
    );
    const scheduled = (status: 'True' | 'False', extra: object = {}) =>
      core.patchNamespacedPodStatus(
        {
          name: pod.metadata?.name ?? '',
          namespace: 'default',
          body: {
            status: {
              conditions: [
                {
                  type: 'PodScheduled',
                  status,
                  lastTransitionTime: new Date().toISOString(),
                  ...extra,
                },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    const conditions = async () => {
      const a = await cr.get('voiceagents', 'no-room');
      return { ready: condition(a, 'Ready'), degraded: condition(a, 'Degraded') };
    };
    await waitFor(async () => (await conditions()).ready?.reason === 'PodsNotReady', {
      timeoutMs: 30_000,
      message: 'Ready=False PodsNotReady while the pod waits',
    });
    await scheduled('False', {
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
    });
    const { ready, degraded } = await waitFor(
      async () => {
        const c = await conditions();
        return c.ready?.reason === 'Unschedulable' ? c : undefined;
      },
      { timeoutMs: 30_000, message: 'Ready=False Unschedulable' },
    );
    assert.equal(ready?.status, 'False');
    assert.match(ready?.message ?? '', /0\/1 nodes are available: 1 Insufficient cpu\./);
    assert.match(ready?.message ?? '', /spec\.capacity\.callsPerPod or spec\.resources/);
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded?.reason, 'Unschedulable');
    // a node with room appears: the scheduler binds the pod, and the agent says so
    await scheduled('True');
    await waitFor(async () => (await conditions()).degraded?.status === 'False', {
      timeoutMs: 30_000,
      message: 'Degraded=False once the pod is scheduled',
    });
    assert.equal((await conditions()).ready?.reason, 'PodsNotReady');
  });

  test('writes nothing in the steady state', async () => {
    await reconciledAgent('steady', '+14155550132');
    const writes = () => op.metric('voicefleet_operator_api_writes_total');
    await new Promise((r) => setTimeout(r, 3000));
    const before = await writes();
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(await writes(), before);
  });

  test('deleting the agent removes its children (garbage collection)', async () => {
    await reconciledAgent('deleted', '+14155550133');
    await waitFor(
      () => core.readNamespacedConfigMap({ name: 'deleted-us-east-1', namespace: 'default' }),
      { timeoutMs: 30_000, message: 'ConfigMap deleted-us-east-1' },
    );
    await cr.delete('voiceagents', 'deleted');
    await waitFor(
      async () => {
        try {
          await deploymentOf('deleted-us-east-1');
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 60_000, message: 'Deployment garbage-collected' },
    );
    await waitFor(
      async () =>
        (
          await core.listNamespacedConfigMap({
            namespace: 'default',
            labelSelector: 'voicefleet.io/agent=deleted',
          })
        ).items.length === 0,
      { timeoutMs: 60_000, message: 'ConfigMap garbage-collected' },
    );
  });
});
