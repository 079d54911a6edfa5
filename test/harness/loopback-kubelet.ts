// A kubelet for the API-server tier: it runs each media pod the ReplicaSet controller creates as
// a real media-node process on a loopback address of its own, and does to it what a kubelet does:
// binds the pod to its node, reports it Running and Ready with that address as the pod IP, and on
// deletion runs the preStop sleep, sends SIGTERM, kills at terminationGracePeriodSeconds and
// removes the pod once the process is gone. The node's heartbeat keeps it Ready. Only what a
// container runtime would add (images, cgroups, networking) is missing; the pods' own lifecycle is
// the real API server's and kube-controller-manager's.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { PatchStrategy } from '@kubernetes/client-node';
import { createKubeRest, namespacedPath } from '../../operator/src/kube/kube-rest.js';
import { startMediaNode, type RunningNode } from '../media-node-process.js';

export interface LoopbackKubeletOptions {
  namespace: string;
  /** Label selector of the pods it runs. */
  selector: string;
  /** The media node's config besides addresses (capacity, drain deadline, pipeline). */
  nodeConfig: Record<string, unknown>;
  /** Third octet of the pod addresses: pods get 127.0.<subnet>.2, .3, ... */
  subnet?: number;
  nodeName?: string;
}

export interface RunningPod {
  name: string;
  ip: string;
  node: RunningNode;
  /** When it was reported Ready. */
  readyAt?: number;
  /** When the pod was seen with a deletionTimestamp. */
  deletedAt?: number;
  /** When its process exited. */
  exitedAt?: number;
  exitCode?: number | null;
}

const POLL_MS = 200;

export class LoopbackKubelet {
  readonly pods = new Map<string, RunningPod>();
  /** What went wrong running or removing a pod, for a test's failure message. */
  readonly errors: string[] = [];
  readonly #rest;
  readonly #o: Required<LoopbackKubeletOptions>;
  readonly #abort = new AbortController();
  #nextHost = 2;
  #loop: Promise<void> = Promise.resolve();
  #busy = new Set<string>();
  #tasks: Promise<unknown>[] = [];

  constructor(kc: KubeConfig, o: LoopbackKubeletOptions) {
    this.#rest = createKubeRest(kc);
    this.#o = { subnet: 9, nodeName: 'loopback-node', ...o };
  }

  async start(): Promise<void> {
    await this.#rest.request('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.#o.nodeName, labels: { 'kubernetes.io/hostname': this.#o.nodeName } },
    });
    await this.#heartbeat();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await Promise.allSettled(this.#tasks);
    await Promise.all([...this.pods.values()].map((p) => p.node.stop()));
  }

  async #heartbeat(): Promise<void> {
    const now = new Date().toISOString();
    await this.#rest.request(
      'PATCH',
      `/api/v1/nodes/${this.#o.nodeName}/status`,
      {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'loopback kubelet',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
          capacity: { cpu: '64', memory: '256Gi', pods: '250' },
          allocatable: { cpu: '64', memory: '256Gi', pods: '250' },
        },
      },
      PatchStrategy.StrategicMergePatch,
    );
  }

  async #run(): Promise<void> {
    let lastBeat = Date.now();
    while (!this.#abort.signal.aborted) {
      try {
        if (Date.now() - lastBeat > 5000) {
          await this.#heartbeat();
          lastBeat = Date.now();
        }
        const list = (await this.#rest.request(
          'GET',
          `${namespacedPath('v1', 'pods', this.#o.namespace)}?labelSelector=${encodeURIComponent(this.#o.selector)}`,
        )) as { items: V1Pod[] };
        for (const pod of list.items) this.#handle(pod);
      } catch {
        // the API server is going away with the test; the next round tries again
      }
      await sleep(POLL_MS, undefined, { signal: this.#abort.signal }).catch(() => undefined);
    }
  }

  #handle(pod: V1Pod): void {
    const name = pod.metadata?.name ?? '';
    if (this.#busy.has(name)) return;
    const running = this.pods.get(name);
    if (running === undefined && pod.metadata?.deletionTimestamp === undefined) {
      this.#track(name, this.#startPod(pod));
    } else if (running !== undefined && pod.metadata?.deletionTimestamp !== undefined) {
      if (running.deletedAt === undefined) this.#track(name, this.#terminate(pod, running));
    }
  }

  #track(name: string, task: Promise<void>): void {
    this.#busy.add(name);
    const done = task
      .finally(() => this.#busy.delete(name))
      .catch((error: unknown) => this.errors.push(`${name}: ${String(error)}`));
    this.#tasks.push(done);
  }

  async #startPod(pod: V1Pod): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const ns = this.#o.namespace;
    await this.#rest.request('POST', `${namespacedPath('v1', 'pods', ns, name)}/binding`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns },
      target: { apiVersion: 'v1', kind: 'Node', name: this.#o.nodeName },
    });
    const ip = `127.0.${this.#o.subnet}.${this.#nextHost++}`;
    const container = pod.spec?.containers[0];
    const port = (n: string): number =>
      container?.ports?.find((p) => p.name === n)?.containerPort ?? 0;
    const node = await startMediaNode({
      ...this.#o.nodeConfig,
      sip: { host: ip, port: port('sip'), advertisedHost: ip },
      http: { host: ip, port: port('http') },
      metrics: { host: ip, port: port('metrics') },
      rtp: { host: ip, portMin: 40000, portMax: 40998 },
    });
    const running: RunningPod = { name, ip, node };
    this.pods.set(name, running);
    void node.exitCode.then((code) => {
      running.exitedAt = Date.now();
      running.exitCode = code;
    });
    const now = new Date().toISOString();
    await this.#rest.request(
      'PATCH',
      `${namespacedPath('v1', 'pods', ns, name)}/status`,
      {
        status: {
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          hostIP: '127.0.0.1',
          startTime: now,
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            { type: 'Initialized', status: 'True', lastTransitionTime: now },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastTransitionTime: now },
          ],
        },
      },
      PatchStrategy.StrategicMergePatch,
    );
    running.readyAt = Date.now();
  }

  /** preStop sleep, SIGTERM, SIGKILL at the grace period, then the pod object goes. */
  async #terminate(pod: V1Pod, running: RunningPod): Promise<void> {
    running.deletedAt = Date.now();
    const name = running.name;
    const graceMs = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const preStopMs = (pod.spec?.containers[0]?.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    await sleep(Math.min(preStopMs, graceMs));
    if (running.exitedAt === undefined) running.node.child.kill('SIGTERM');
    const left = graceMs - (Date.now() - running.deletedAt);
    const killed = await Promise.race([
      running.node.exitCode.then(() => false),
      sleep(Math.max(0, left)).then(() => true),
    ]);
    if (killed) running.node.child.kill('SIGKILL');
    await running.node.exitCode;
    await this.#rest.request(
      'DELETE',
      `${namespacedPath('v1', 'pods', this.#o.namespace, name)}?gracePeriodSeconds=0`,
    );
  }
}
