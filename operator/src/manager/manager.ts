// The controller manager: the cluster caches (./cluster-caches.ts), one keyed work queue per
// controller, the VoiceAgent and SipTrunk controllers, the media pods' load tracker (the
// scaler's signal) and, when an edge is configured, the edge sync. Informers run on every
// instance (warm caches); workers, the load tracker and the edge sync run only while
// `lead` holds a signal and only once every cache has synced, so only the leader writes and never
// from half-listed caches. Informer events become queue keys here: an agent, the agents sharing
// its numbers, a child's owner, a media pod's agent (on the pod's changes, its container status
// and its calls), the agents naming a trunk or a Secret, the trunks whose credentials a Secret is,
// and the edge routing.
import type { KubeConfig, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Tracer } from '@opentelemetry/api';
import { SIP_TRUNK_KIND, VOICE_AGENT_KIND } from '@voicefleet/api';
import { createApplier } from '../kube/apply.js';
import type { CachedObject } from '../kube/cached-object.js';
import { createEventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import { namespacedKey, splitKey, storeOf } from '../kube/store.js';
import type { Logger } from '../runtime/log.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { tracedReconcile } from '../runtime/traced-reconcile.js';
import { WorkQueue, type KeyHandler, type WorkQueueHooks } from '../runtime/work-queue.js';
import { EdgeSync } from '../edge/edge-sync.js';
import { REGION_LABEL } from '@voicefleet/api';
import { readVoiceAgent } from '../resources.js';
import { mediaPod, statusTarget } from '../scaling/media-pods.js';
import { needsPodsNow } from '../scaling/needs-pods-now.js';
import { PodLoadTracker } from '../scaling/pod-load-tracker.js';
import { PoolMetrics } from '../scaling/pool-metrics.js';
import type { RegionalEndpoint } from '../edge/edge-fleet.js';
import { SipTrunkController } from '../sip-trunk/sip-trunk-controller.js';
import type { ChildOptions } from '../voice-agent/desired-children.js';
import type { MediaNodeConfigOptions } from '../voice-agent/media-node-config.js';
import { VoiceAgentController } from '../voice-agent/voice-agent-controller.js';
import { POD_BY_AGENT, VoiceAgentKeys, mediaPodIndexes } from '../voice-agent/voice-agent-keys.js';
import type { ManagedMonitoring } from '../voice-agent/desired-monitoring.js';
import { informersOf, watchCluster, type ClusterCaches } from './cluster-caches.js';

export interface ManagerOptions {
  kc: KubeConfig;
  log: Logger;
  metrics: OperatorMetrics;
  namespace: string | undefined;
  ownedRegions: readonly string[];
  childOptions: ChildOptions & MediaNodeConfigOptions;
  workers: number;
  /** The edge to program; none when undefined. */
  edge?: ManagerEdgeOptions;
  /** Each agent's PrometheusRule and PodMonitor (written when their CRDs exist); none when undefined. */
  monitoring?: ManagedMonitoring;
  /** A span per reconcile (VoiceAgent, SipTrunk, edge sync) when given; none when undefined. */
  tracer?: Tracer;
}

export interface ManagerEdgeOptions {
  /** Kamailio edges given by URL, each with its region. */
  kamailio: readonly RegionalEndpoint[];
  /** Kamailio edges found as ready pods by label in a namespace. */
  discover: { namespace: string; labelSelector: string; port: number; token: string } | undefined;
  peerEdges: readonly string[];
  /** Where the set-id assignment persists: in the operator's own namespace. */
  setIdsConfigMap: { namespace: string; name: string };
  /** Pod address -> address Kamailio reaches it at (tests, NAT). */
  addressMap?: ReadonlyMap<string, string>;
  intervalMs?: number;
}

export class Manager {
  readonly caches: ClusterCaches;
  readonly agentQueue: WorkQueue;
  readonly trunkQueue: WorkQueue;
  readonly agentKeys: VoiceAgentKeys;
  readonly agentController: VoiceAgentController;
  readonly trunkController: SipTrunkController;
  readonly edge: EdgeSync | undefined;
  readonly loads: PodLoadTracker;
  #leading = false;

  constructor(private readonly o: ManagerOptions) {
    this.caches = watchCluster(o.kc, {
      namespace: o.namespace,
      monitoring: o.monitoring !== undefined && o.monitoring.missingCrds.length === 0,
      networkPolicies: o.childOptions.networkPolicy !== undefined,
      edge:
        o.edge === undefined
          ? undefined
          : {
              edgePods:
                o.edge.discover === undefined
                  ? undefined
                  : {
                      namespace: o.edge.discover.namespace,
                      labelSelector: o.edge.discover.labelSelector,
                    },
            },
    });
    const c = this.caches;
    const deps = {
      applier: createApplier(o.kc, o.metrics),
      events: createEventRecorder(o.kc, o.metrics),
      log: o.log,
      now: () => new Date(),
    };
    const agents = storeOf(c.agents);
    this.agentKeys = new VoiceAgentKeys(agents);
    this.loads = new PodLoadTracker({
      log: o.log,
      onChange: (key) => {
        const [namespace = '', name = ''] = key.split('/');
        const pod = c.mediaPods.get(namespace, name);
        for (const agent of pod === undefined ? [] : (mediaPodIndexes[POD_BY_AGENT]?.(pod) ?? [])) {
          if (pod !== undefined && this.poolNeedsPods(agent, pod)) this.agentQueue.addUrgent(agent);
          else this.agentQueue.add(agent);
        }
      },
    });
    this.agentController = new VoiceAgentController({
      ...deps,
      agents,
      trunks: storeOf(c.trunks),
      secrets: storeOf(c.secrets),
      children: Object.fromEntries(
        Object.entries(c.children).map(([kind, informer]) => [kind, storeOf(informer)]),
      ),
      keys: this.agentKeys,
      mediaPods: storeOf(c.mediaPods),
      loads: this.loads,
      poolMetrics: new PoolMetrics(o.metrics.registry),
      ownedRegions: o.ownedRegions,
      childOptions: {
        ...o.childOptions,
        ...(o.monitoring === undefined ? {} : { monitoring: o.monitoring }),
      },
    });
    this.trunkController = new SipTrunkController({
      ...deps,
      trunks: storeOf(c.trunks),
      secrets: storeOf(c.secrets),
    });
    this.edge = this.createEdge();
    this.agentQueue = new WorkQueue({ workers: o.workers, hooks: this.queueHooks('voiceagent') });
    this.trunkQueue = new WorkQueue({ workers: o.workers, hooks: this.queueHooks('siptrunk') });
    this.wireEvents();
  }

  private createEdge(): EdgeSync | undefined {
    const { edge } = this.o;
    const informers = this.caches.edge;
    if (edge === undefined || informers === undefined) return undefined;
    const discover = edge.discover;
    return new EdgeSync({
      kc: this.o.kc,
      caches: {
        agents: storeOf(this.caches.agents),
        trunks: storeOf(this.caches.trunks),
        secrets: storeOf(this.caches.secrets),
        endpointSlices: storeOf(informers.endpointSlices),
        mediaPods: storeOf(this.caches.mediaPods),
      },
      regions: this.o.ownedRegions,
      peerEdges: edge.peerEdges,
      kamailio: edge.kamailio,
      ...(discover !== undefined && informers.edgePods !== undefined
        ? {
            discover: {
              pods: storeOf(informers.edgePods),
              port: discover.port,
              token: discover.token,
            },
          }
        : {}),
      setIdsConfigMap: edge.setIdsConfigMap,
      ...(edge.addressMap !== undefined ? { addressMap: edge.addressMap } : {}),
      ...(edge.intervalMs !== undefined ? { intervalMs: edge.intervalMs } : {}),
      metrics: this.o.metrics,
      log: this.o.log,
      queueHooks: this.queueHooks('edge'),
      ...(this.o.tracer !== undefined ? { tracer: this.o.tracer } : {}),
    });
  }

  private queueHooks(controller: string): WorkQueueHooks {
    const m = this.o.metrics;
    return {
      depth: (d) => m.queueDepth.set({ controller }, d),
      processed: (e) => {
        m.reconcileTotal.inc({ controller, result: e.outcome });
        m.reconcileDuration.observe({ controller }, e.durationMs / 1000);
        if (e.outcome === 'error') {
          m.reconcileErrors.inc({ controller });
          this.o.log.warn('reconcile failed, retrying with backoff', {
            controller,
            key: e.key,
            failures: e.failures,
            err: e.error,
          });
        }
      },
    };
  }

  private wireEvents(): void {
    const { agents, trunks, secrets, children } = this.caches;
    const keys = this.agentKeys;
    const toAgents = (list: readonly string[]) => list.forEach((k) => this.agentQueue.add(k));
    const toTrunks = (list: readonly string[]) => list.forEach((k) => this.trunkQueue.add(k));
    onEvery(agents, (a, old) => toAgents(keys.forAgent(a, old)));
    for (const informer of Object.values(children))
      if (informer !== undefined) onEvery(informer, (o) => toAgents(keys.forChild(o)));
    // A media pod's container status (image, Secret, crash loop) and its calls show in its agent.
    onEvery(this.caches.mediaPods, (pod: V1Pod, old) => {
      toAgents(mediaPodIndexes[POD_BY_AGENT]?.(pod) ?? []);
      if (this.#leading) this.followPod(pod, old);
    });
    this.caches.mediaPods.on('delete', (pod) => this.loads.untrack(namespacedKey(pod)));
    onEvery(trunks, (t) => {
      toTrunks([namespacedKey(t)]);
      toAgents(keys.forTrunk(t));
    });
    onEvery(secrets, (s: V1Secret) => {
      const trunkKeys = this.trunkController.keysForSecret(s);
      toTrunks(trunkKeys);
      toAgents(keys.forSecret(s));
      // The edge holds trunk credentials: only a trunk's Secret changes its routing.
      if (trunkKeys.length > 0) this.edge?.routingChanged();
    });
    const edge = this.edge;
    const informers = this.caches.edge;
    if (edge === undefined || informers === undefined) return;
    const routing = () => edge.routingChanged();
    onEvery(agents, routing);
    onEvery(trunks, routing);
    onEvery(informers.endpointSlices, routing);
    onEvery(this.caches.mediaPods, routing);
    if (informers.edgePods !== undefined) onEvery(informers.edgePods, () => edge.edgesChanged());
  }

  /** Whether the calls in the pod's pool already ask for more pods than last decided. */
  private poolNeedsPods(agentKey: string, pod: V1Pod): boolean {
    const [namespace = '', name = ''] = agentKey.split('/');
    const stored = this.caches.agents.get(namespace, name);
    if (stored === undefined) return false;
    const { value: agent, errors } = readVoiceAgent(stored);
    const region = pod.metadata?.labels?.[REGION_LABEL] ?? '';
    const spec = agent.spec.regions.find((r) => r.name === region);
    if (errors.length > 0 || spec === undefined) return false;
    const pods = this.caches.mediaPods
      .byIndex(POD_BY_AGENT, agentKey)
      .filter((p) => p.metadata?.labels?.[REGION_LABEL] === region)
      .map((p) => mediaPod(p, this.loads));
    return needsPodsNow({
      capacity: agent.spec.capacity,
      maxReplicas: spec.maxReplicas,
      desiredReplicas: agent.status?.regions?.find((r) => r.name === region)?.desiredReplicas,
      pods,
    });
  }

  /** Opens (or moves, or closes) the pod's status stream as its address and phase say. */
  private followPod(pod: V1Pod, _old?: V1Pod): void {
    const target = statusTarget(pod);
    if (target !== undefined) this.loads.trackOne(target);
    else this.loads.untrack(namespacedKey(pod));
  }

  /** The handler, in a span per reconcile when tracing is on. */
  private traced(kind: string, handler: KeyHandler): KeyHandler {
    const { tracer } = this.o;
    if (tracer === undefined) return handler;
    return tracedReconcile(tracer, (key) => ({ kind, ...splitKey(key) }), handler);
  }

  hasSynced(): boolean {
    return informersOf(this.caches).every((i) => i.hasSynced());
  }

  /** Resolves once every cache has listed (rejects when `signal` aborts first). */
  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all(informersOf(this.caches).map((i) => i.waitForSync(signal)));
  }

  /** Runs every informer until `signal` aborts (on leaders and standbys alike). */
  async runInformers(signal: AbortSignal): Promise<void> {
    const informers = informersOf(this.caches);
    for (const i of informers) {
      i.on('error', (err) => this.o.log.warn('list/watch failed, retrying', { err }));
    }
    await Promise.all(informers.map((i) => i.run(signal)));
  }

  /** While leading: waits for synced caches, queues every object once, runs the workers and the edge sync. */
  async lead(signal: AbortSignal): Promise<void> {
    await this.waitForSync(signal);
    for (const k of this.agentKeys.all()) this.agentQueue.add(k);
    for (const k of this.trunkController.allKeys()) this.trunkQueue.add(k);
    const agentHandler = this.traced(VOICE_AGENT_KIND, (key) =>
      this.agentController.reconcile(key),
    );
    const trunkHandler = this.traced(SIP_TRUNK_KIND, (key) => this.trunkController.reconcile(key));
    this.#leading = true;
    for (const pod of this.caches.mediaPods.list()) this.followPod(pod);
    signal.addEventListener('abort', () => {
      this.#leading = false;
      this.loads.stop();
    });
    await Promise.all([
      this.agentQueue.run(agentHandler, signal),
      this.trunkQueue.run(trunkHandler, signal),
      this.edge?.run(signal),
    ]);
  }
}

/** Calls `fn` on add, update (with the previous object) and delete. */
function onEvery<T extends CachedObject>(
  informer: Informer<T>,
  fn: (obj: T, old?: T) => void,
): void {
  informer.on('add', (obj) => fn(obj));
  informer.on('update', (old, obj) => fn(obj, old));
  informer.on('delete', (obj) => fn(obj));
}
