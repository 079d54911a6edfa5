// Autoscaling on calls against a real API server and kube-controller-manager (its ReplicaSet
// controller picks the pods a scale-down deletes), with every media pod a real media-node process
// (test/harness/loopback-kubelet.ts) taking real SIP calls with RTP. The operator runs in this
// process and learns the calls from the pods' status streams.
import { voiceAgentManifest } from '@voicefleet/api/testing';
import {
  AppsV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubernetesObject,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@voicefleet/devtools/processes';
import type { RegionStatus } from './harness/autoscale-rig.js';
import { controlPlaneSkipReason } from './harness/control-plane-binaries.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { LoopbackKubelet, type RunningPod } from './harness/loopback-kubelet.js';
import { TestCaller } from './media-node-caller.js';
import {
  customObjects,
  installCrds,
  runManager,
  type InProcessManager,
} from './operator-helpers.js';

const AGENT = 'busy-desk';
const DEPLOYMENT = `${AGENT}-local`;
const CALLS_PER_POD = 10;

describe(
  'autoscaling on calls with real media pods',
  { skip: controlPlaneSkipReason(), timeout: 240_000 },
  () => {
    let plane: ControlPlane;
    let kubelet: LoopbackKubelet;
    let op: InProcessManager;
    let apps: AppsV1Api;
    let core: CoreV1Api;
    let cr: ReturnType<typeof customObjects>;
    const callers: TestCaller[] = [];
    /** The pod the first test leaves with calls on it, and those calls. */
    let busyPod: { pod: RunningPod; calls: TestCaller[] } | undefined;

    before(async () => {
      plane = await startControlPlane();
      await installCrds(plane.kubeConfig);
      apps = plane.kubeConfig.makeApiClient(AppsV1Api);
      core = plane.kubeConfig.makeApiClient(CoreV1Api);
      cr = customObjects(plane.kubeConfig);
      kubelet = new LoopbackKubelet(plane.kubeConfig, {
        namespace: 'default',
        selector: `voicefleet.io/agent=${AGENT}`,
        nodeConfig: {
          agent: { namespace: 'default', name: AGENT },
          capacity: { maxCalls: CALLS_PER_POD },
          drain: { deadlineSeconds: 60 },
        },
      });
      await kubelet.start();
      op = runManager(plane.kubeConfig, { regions: ['local'] });
    });
    after(async () => {
      for (const c of callers) c.close();
      await op?.stop();
      await kubelet?.stop();
      await plane?.stop();
    });

    const region = async (): Promise<RegionStatus | undefined> =>
      (await cr.get('voiceagents', AGENT)).status?.regions?.[0] as RegionStatus | undefined;
    const replicas = async (): Promise<number | undefined> =>
      (await apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace: 'default' })).spec
        ?.replicas;
    const podObjects = async () =>
      (
        await core.listNamespacedPod({
          namespace: 'default',
          labelSelector: `voicefleet.io/agent=${AGENT}`,
        })
      ).items;
    const podsAlive = (): RunningPod[] =>
      [...kubelet.pods.values()].filter((p) => p.deletedAt === undefined);

    async function call(pod: RunningPod): Promise<TestCaller> {
      const c = await TestCaller.create(pod.node.sipPort, pod.ip);
      callers.push(c);
      const answer = await c.invite();
      assert.equal(answer.status, 200, `a call to ${pod.name}`);
      c.startMedia();
      return c;
    }

    const pod503 = async (p: RunningPod): Promise<boolean> =>
      (await p.node.http('GET', '/readyz')).status === 503;

    /**
     * The call was never dropped: the agent's greeting reached the caller, the node never hung up
     * (no BYE from it), and the caller's own BYE ends the dialog with 200 (a dropped call answers
     * 481 or nothing).
     */
    async function hangUpAlive(c: TestCaller, what: string): Promise<void> {
      assert.ok(c.heard.length > 0, `${what}: the agent's audio reached the caller`);
      const hungUpByNode = await c.waitForRequest('BYE', 0).then(
        () => true,
        () => false,
      );
      assert.equal(hungUpByNode, false, `${what}: the node never hung up`);
      await c.stopMedia();
      assert.equal((await c.bye()).status, 200, `${what}: ended by its own BYE`);
    }

    test('scales up the moment calls fill the buffer, and down to the busiest pod without dropping a call', async () => {
      const manifest = voiceAgentManifest(AGENT, {
        regions: [{ name: 'local', minReplicas: 1, maxReplicas: 4 }],
        callsPerPod: CALLS_PER_POD,
        bufferCalls: 2,
        spec: { drainTimeoutSeconds: 60 },
      }) as KubernetesObject & { spec: { capacity: Record<string, unknown> } };
      manifest.spec.capacity.scaleDownStabilizationSeconds = 3;
      await cr.create('voiceagents', {
        ...manifest,
        metadata: { name: AGENT, namespace: 'default' },
      });

      const a = await waitFor(
        async () => {
          const r = await region();
          return r?.readyReplicas === 1 && r.capacity === CALLS_PER_POD
            ? podsAlive()[0]
            : undefined;
        },
        { timeoutMs: 60_000, message: 'one ready media pod whose capacity the operator knows' },
      );

      // 8 calls + a buffer of 2 fit one pod of 10: no second pod may start.
      const onA: TestCaller[] = [];
      for (let i = 0; i < 8; i++) onA.push(await call(a));
      await sleep(2000);
      assert.equal(await replicas(), 1, 'no pod starts while free slots still cover the buffer');
      assert.equal(kubelet.pods.size, 1);

      // The 9th call eats into the buffer: a second pod at once.
      onA.push(await call(a));
      const breached = Date.now();
      await waitFor(async () => (await podObjects()).length === 2, {
        timeoutMs: 10_000,
        intervalMs: 100,
        message: 'a second pod created',
      });
      const reactionMs = Date.now() - breached;
      assert.ok(
        reactionMs < 5000,
        `second pod created ${reactionMs} ms after the buffer was breached`,
      );
      const b = await waitFor(() => podsAlive().find((p) => p !== a), {
        timeoutMs: 60_000,
        message: 'the second pod running',
      });
      await waitFor(async () => (await region())?.readyReplicas === 2, {
        timeoutMs: 30_000,
        message: 'two ready pods',
      });

      const onB: TestCaller[] = [];
      for (let i = 0; i < 3; i++) onB.push(await call(b));
      const busy = await waitFor(
        async () => {
          const r = await region();
          return r?.activeCalls === 12 ? r : undefined;
        },
        { timeoutMs: 15_000, message: 'status counts 12 calls' },
      );
      assert.equal(busy.desiredReplicas, 2);
      const agent = await cr.get('voiceagents', AGENT);
      assert.equal((agent.status as { activeCalls?: number }).activeCalls, 12, 'the Calls column');

      // 8 calls on a end: a has 1 call, b has 3. Four calls and the buffer fit one pod: after the
      // 3 s stabilization the pool shrinks to one, and the pod removed is a, the emptier one.
      for (const c of onA.splice(0, 8)) await hangUpAlive(c, 'a call on the first pod');
      const removed = await waitFor(() => [...kubelet.pods.values()].find((p) => p.deletedAt), {
        timeoutMs: 30_000,
        message: 'a pod removed',
      });
      assert.equal(removed.name, a.name, 'the pod with the fewest calls is the one removed');
      assert.equal(b.deletedAt, undefined);
      assert.equal(await replicas(), 1);
      const costs = Object.fromEntries(
        (
          await core.listNamespacedPod({
            namespace: 'default',
            labelSelector: `voicefleet.io/agent=${AGENT}`,
          })
        ).items.map((p) => [
          p.metadata?.name,
          p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'],
        ]),
      );
      assert.equal(costs[b.name], '3', 'the busy pod carries its calls as its deletion cost');

      // a drains: after its preStop it refuses new calls, and its last call goes on to its own BYE.
      await waitFor(async () => (await a.node.http('GET', '/readyz')).status === 503, {
        timeoutMs: 15_000,
        message: 'the removed pod drains',
      });
      const late = await TestCaller.create(a.node.sipPort, a.ip);
      callers.push(late);
      assert.equal((await late.invite()).status, 503, 'a draining pod refuses new calls');
      assert.equal(a.exitedAt, undefined, 'the draining pod waits for its call');
      const last = onA[0];
      assert.ok(last !== undefined);
      await hangUpAlive(last, 'the call on the removed pod');
      assert.equal(await a.node.exitCode, 0, 'the drained pod exits by itself once empty');
      await waitFor(async () => !(await podObjects()).some((p) => p.metadata?.name === a.name), {
        timeoutMs: 15_000,
        message: 'the removed pod object gone',
      }).catch(async (error: unknown) => {
        const left = (await podObjects()).map((p) => p.metadata?.name).join(', ');
        throw new Error(`${String(error)}; pods: ${left}; kubelet: ${kubelet.errors.join('; ')}`);
      });

      busyPod = { pod: b, calls: onB };
      const events = (await core.listNamespacedEvent({ namespace: 'default' })).items.filter(
        (e: CoreV1Event) => e.involvedObject.name === AGENT,
      );
      const reasons = events.map((e) => e.reason);
      assert.ok(reasons.includes('ScaledUp'), `Events: ${reasons.join(', ')}`);
      assert.ok(reasons.includes('ScaledDown'), `Events: ${reasons.join(', ')}`);
    });

    test('an eviction of a busy pod (a node drain) drops none of its calls', async () => {
      assert.ok(busyPod !== undefined, 'the test before left a busy pod');
      const { pod, calls } = busyPod;
      await core.createNamespacedPodEviction({
        name: pod.name,
        namespace: 'default',
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod.name, namespace: 'default' },
        },
      });
      // The ReplicaSet replaces it; it drains its calls meanwhile.
      await waitFor(() => podsAlive().some((p) => p !== pod && p.deletedAt === undefined), {
        timeoutMs: 60_000,
        message: 'a replacement pod running',
      });
      const draining = await waitFor(
        async () => {
          const r = await region();
          return r?.drainingCalls === calls.length ? r : undefined;
        },
        { timeoutMs: 15_000, message: 'status counts the evicted pod’s calls as draining' },
      );
      assert.equal(draining.activeCalls, calls.length);
      await waitFor(async () => (await pod.node.http('GET', '/readyz')).status === 503, {
        timeoutMs: 15_000,
        message: 'the evicted pod drains',
      });
      for (const c of calls) await hangUpAlive(c, 'a call on the evicted pod');
      assert.equal(await pod.node.exitCode, 0, 'the evicted pod exits once its calls ended');
    });

    test('a rolling update of the pipeline under load surges first and drops no call', async () => {
      const old = await waitFor(() => podsAlive()[0], { message: 'a running pod' });
      const calls: TestCaller[] = [];
      for (let i = 0; i < 3; i++) calls.push(await call(old));
      await cr.patch('voiceagents', AGENT, { spec: { pipeline: { greeting: 'Hello again' } } });
      const next = await waitFor(() => podsAlive().find((p) => p !== old && p.readyAt), {
        timeoutMs: 60_000,
        message: 'a pod of the new template ready',
      });
      await waitFor(() => old.deletedAt, { timeoutMs: 30_000, message: 'the old pod removed' });
      assert.ok(
        (old.deletedAt ?? 0) >= (next.readyAt ?? Infinity),
        'the old pod is removed only once its successor is ready',
      );
      await waitFor(async () => (await pod503(old)) === true, {
        timeoutMs: 15_000,
        message: 'the old pod drains',
      });
      for (const c of calls) await hangUpAlive(c, 'a call on the old pod');
      assert.equal(await old.node.exitCode, 0, 'the old pod exits once its calls ended');
    });

    test('with capacity.scaling external, an HPA owns replicas and the operator never fights it', async () => {
      const pod = await waitFor(() => podsAlive()[0], { message: 'a running pod' });
      const calls: TestCaller[] = [];
      for (let i = 0; i < 9; i++) calls.push(await call(pod));
      await waitFor(async () => (await replicas()) === 2, {
        timeoutMs: 10_000,
        message: 'the operator scales up on calls',
      });
      await cr.patch('voiceagents', AGENT, { spec: { capacity: { scaling: 'external' } } });
      await waitFor(async () => (await region())?.limited === 'External', {
        timeoutMs: 10_000,
        message: 'status says the size is external',
      });
      await sleep(2000);
      assert.equal(await replicas(), 2, 'handing replicas over keeps their value');

      // The HPA (here: its write through the scale subresource) shrinks the pool below what the
      // calls ask for; the operator leaves it so, and reports it.
      const scale = await apps.readNamespacedDeploymentScale({
        name: DEPLOYMENT,
        namespace: 'default',
      });
      await apps.replaceNamespacedDeploymentScale({
        name: DEPLOYMENT,
        namespace: 'default',
        fieldManager: 'horizontal-pod-autoscaler',
        body: { ...scale, spec: { replicas: 1 } },
      });
      await sleep(3000);
      assert.equal(await replicas(), 1, 'the operator did not write replicas back');
      const r = await waitFor(
        async () => {
          const got = await region();
          return got?.desiredReplicas === 1 ? got : undefined;
        },
        { timeoutMs: 10_000, message: 'status reports the external size' },
      );
      assert.equal(r.limited, 'External');
      // The pod removed is the empty one; the busy pod keeps its calls.
      await waitFor(() => podsAlive().length === 1 && podsAlive()[0] === pod, {
        timeoutMs: 30_000,
        message: 'the empty pod removed, the busy one kept',
      });
      for (const c of calls) await hangUpAlive(c, 'a call on the busy pod');
    });
  },
);
