// One autoscaled media pool on the API-server tier, shared by the autoscaling suites and
// bench/autoscale: a real kube-apiserver and kube-controller-manager, the operator in this process,
// and every media pod a real media-node process run by the loopback kubelet. Calls are real SIP
// calls with RTP placed on the pods directly, as the edge's call-load dispatcher would.
import { voiceAgentManifest } from '@voicefleet/api/testing';
import {
  AppsV1Api,
  CoreV1Api,
  Watch,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { LoopbackKubelet, type RunningPod } from './loopback-kubelet.js';
import { TestCaller } from '../media-node-caller.js';
import {
  customObjects,
  installCrds,
  runManager,
  type InProcessManager,
} from '../operator-helpers.js';

export interface RegionStatus {
  activeCalls: number;
  drainingCalls?: number;
  capacity: number;
  desiredReplicas: number;
  readyReplicas: number;
  limited?: string;
}

export interface RigOptions {
  agent: string;
  callsPerPod: number;
  drainSeconds: number;
  /** Third octet of the pods' loopback addresses (one per suite that may run alongside). */
  subnet: number;
}

export interface PoolOptions {
  minReplicas: number;
  maxReplicas: number;
  bufferCalls: number;
  /** Extra `spec.capacity` fields: bufferPercent, scaleDownStabilizationSeconds, limits. */
  capacity?: Record<string, unknown>;
}

export class AutoscaleRig {
  readonly callers: TestCaller[] = [];
  readonly deployment: string;
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly cr: ReturnType<typeof customObjects>;

  private constructor(
    readonly o: RigOptions,
    readonly plane: ControlPlane,
    readonly kubelet: LoopbackKubelet,
    readonly op: InProcessManager,
  ) {
    this.deployment = `${o.agent}-local`;
    this.apps = plane.kubeConfig.makeApiClient(AppsV1Api);
    this.core = plane.kubeConfig.makeApiClient(CoreV1Api);
    this.cr = customObjects(plane.kubeConfig);
  }

  static async start(o: RigOptions): Promise<AutoscaleRig> {
    const plane = await startControlPlane();
    await installCrds(plane.kubeConfig);
    const kubelet = new LoopbackKubelet(plane.kubeConfig, {
      namespace: 'default',
      selector: `voicefleet.io/agent=${o.agent}`,
      subnet: o.subnet,
      nodeConfig: {
        agent: { namespace: 'default', name: o.agent },
        capacity: { maxCalls: o.callsPerPod },
        drain: { deadlineSeconds: o.drainSeconds },
      },
    });
    await kubelet.start();
    const op = runManager(plane.kubeConfig, { regions: ['local'] });
    return new AutoscaleRig(o, plane, kubelet, op);
  }

  async stop(): Promise<void> {
    for (const c of this.callers) c.close();
    await this.op.stop();
    await this.kubelet.stop();
    await this.plane.stop();
  }

  /** Creates the VoiceAgent with one region `local` sized by `pool`. */
  async createAgent(pool: PoolOptions): Promise<void> {
    const manifest = voiceAgentManifest(this.o.agent, {
      regions: [{ name: 'local', minReplicas: pool.minReplicas, maxReplicas: pool.maxReplicas }],
      callsPerPod: this.o.callsPerPod,
      bufferCalls: pool.bufferCalls,
      spec: { drainTimeoutSeconds: this.o.drainSeconds },
    }) as KubernetesObject & { spec: { capacity: Record<string, unknown> } };
    Object.assign(manifest.spec.capacity, pool.capacity);
    await this.cr.create('voiceagents', manifest);
  }

  async region(): Promise<RegionStatus | undefined> {
    const agent = await this.cr.get('voiceagents', this.o.agent);
    return agent.status?.regions?.[0] as RegionStatus | undefined;
  }

  async replicas(): Promise<number | undefined> {
    const d = await this.apps.readNamespacedDeployment({
      name: this.deployment,
      namespace: 'default',
    });
    return d.spec?.replicas;
  }

  async podObjects(): Promise<V1Pod[]> {
    const list = await this.core.listNamespacedPod({
      namespace: 'default',
      labelSelector: `voicefleet.io/agent=${this.o.agent}`,
    });
    return list.items;
  }

  /** Pods the kubelet runs that were not deleted. */
  podsAlive(): RunningPod[] {
    return [...this.kubelet.pods.values()].filter((p) => p.deletedAt === undefined);
  }

  /** A call to `pod`, answered, with the phone's RTP running. */
  async call(pod: RunningPod): Promise<TestCaller> {
    const c = await TestCaller.create(pod.node.sipPort, pod.ip);
    this.callers.push(c);
    const answer = await c.invite();
    if (answer.status !== 200) throw new Error(`a call to ${pod.name} answered ${answer.status}`);
    c.startMedia(600_000);
    return c;
  }
}

/**
 * Ends a call from the caller's side and says whether it had been dropped: undefined when the
 * agent's audio reached the caller, the node never hung up (no BYE from it) and the caller's own
 * BYE ended the dialog with 200 (a dropped call answers 481 or nothing); otherwise what was wrong.
 */
export async function hangUpByCaller(c: TestCaller): Promise<string | undefined> {
  if (c.heard.length === 0) return 'no audio from the agent reached the caller';
  const hungUpByNode = await c.waitForRequest('BYE', 0).then(
    () => true,
    () => false,
  );
  await c.stopMedia();
  if (hungUpByNode) return 'the node hung up';
  const status = (await c.bye()).status;
  return status === 200 ? undefined : `the caller's BYE answered ${status}`;
}

/**
 * The Deployment's replicas each time they changed, from a watch: every write of spec.replicas is
 * an event, so no step is missed however slow the test process is, and `start` resolves once the
 * value before any change is recorded.
 */
export class ReplicaTimeline {
  readonly changes: { atMs: number; replicas: number }[] = [];
  #request: { abort(): void } | undefined;

  private constructor() {}

  static async start(rig: AutoscaleRig): Promise<ReplicaTimeline> {
    const timeline = new ReplicaTimeline();
    let first: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (first = resolve));
    timeline.#request = await new Watch(rig.plane.kubeConfig).watch(
      '/apis/apps/v1/namespaces/default/deployments',
      { fieldSelector: `metadata.name=${rig.deployment}` },
      (type: string, d: V1Deployment) => {
        const replicas = d.spec?.replicas;
        if ((type === 'ADDED' || type === 'MODIFIED') && replicas !== undefined) {
          if (replicas !== timeline.changes.at(-1)?.replicas)
            timeline.changes.push({ atMs: Date.now(), replicas });
          first();
        }
      },
      () => undefined,
    );
    await seen;
    return timeline;
  }

  stop(): void {
    this.#request?.abort();
  }
}
