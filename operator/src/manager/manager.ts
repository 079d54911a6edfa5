// The controller manager: informers for VoiceAgents, SipTrunks, Secrets and the agents' children
// (label managed-by=voicefleet), two keyed work queues, and the VoiceAgent and SipTrunk
// controllers. Informers run on every instance (warm caches); workers run only while `leading`
// hands out a signal, so only the leader writes.
import type { KubeConfig, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { GROUP, SIP_TRUNK_PLURAL, VERSION, VOICE_AGENT_PLURAL } from '@voicefleet/api';
import { createApplier } from '../kube/apply.js';
import { createEventRecorder } from '../kube/events.js';
import { Informer } from '../kube/informer.js';
import type { Logger } from '../runtime/log.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { WorkQueue, type KeyHandler } from '../runtime/work-queue.js';
import type { ChildOptions } from '../voice-agent/desired-children.js';
import type { MediaNodeConfigOptions } from '../voice-agent/media-node-config.js';
import { MANAGED_SELECTOR } from '../voice-agent/child-names.js';
import type { Store } from './controller-deps.js';
import type { SipTrunkObject, VoiceAgentObject } from '../resources.js';
import { SipTrunkController } from '../sip-trunk/sip-trunk-controller.js';
import { VoiceAgentController } from '../voice-agent/voice-agent-controller.js';

export interface ManagerOptions {
  kc: KubeConfig;
  log: Logger;
  metrics: OperatorMetrics;
  namespace: string | undefined;
  ownedRegions: readonly string[];
  childOptions: ChildOptions & MediaNodeConfigOptions;
  workers: number;
}

const CHILD_KINDS = [
  { kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps' },
  { kind: 'Service', group: '', version: 'v1', plural: 'services' },
  { kind: 'PodDisruptionBudget', group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' },
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
] as const;

export const SECRET_FIELD_SELECTOR =
  'type!=helm.sh/release.v1,type!=kubernetes.io/service-account-token';

type ChildKind = (typeof CHILD_KINDS)[number]['kind'];

export function storeOf<T extends KubernetesObject>(informer: Informer<T>): Store<T> {
  return {
    get: (name, namespace) => informer.get(namespace, name),
    list: (namespace) =>
      namespace === undefined
        ? informer.list()
        : informer.list().filter((o) => o.metadata?.namespace === namespace),
  };
}

export class Manager {
  readonly agents: Informer<VoiceAgentObject & KubernetesObject>;
  readonly trunks: Informer<SipTrunkObject & KubernetesObject>;
  readonly secrets: Informer<V1Secret>;
  readonly children: Record<ChildKind, Informer<KubernetesObject>>;
  readonly agentQueue: WorkQueue;
  readonly trunkQueue: WorkQueue;
  readonly agentController: VoiceAgentController;
  readonly trunkController: SipTrunkController;

  constructor(private readonly o: ManagerOptions) {
    const ns = o.namespace === undefined ? {} : { namespace: o.namespace };
    this.agents = Informer.forResource(o.kc, {
      group: GROUP,
      version: VERSION,
      plural: VOICE_AGENT_PLURAL,
      ...ns,
    });
    this.trunks = Informer.forResource(o.kc, {
      group: GROUP,
      version: VERSION,
      plural: SIP_TRUNK_PLURAL,
      ...ns,
    });
    // Trunk credentials are never Helm release records or service-account tokens: leaving those
    // out keeps the largest Secrets of a cluster out of this cache.
    this.secrets = Informer.forResource(o.kc, {
      group: '',
      version: 'v1',
      plural: 'secrets',
      fieldSelector: SECRET_FIELD_SELECTOR,
      ...ns,
    });
    this.children = Object.fromEntries(
      CHILD_KINDS.map((c) => [
        c.kind,
        Informer.forResource(o.kc, {
          group: c.group,
          version: c.version,
          plural: c.plural,
          labelSelector: MANAGED_SELECTOR,
          ...ns,
        }),
      ]),
    ) as Record<ChildKind, Informer<KubernetesObject>>;

    const deps = {
      applier: createApplier(o.kc, o.metrics),
      events: createEventRecorder(o.kc, o.metrics),
      log: o.log,
      now: () => new Date(),
    };
    this.agentController = new VoiceAgentController({
      ...deps,
      agents: storeOf(this.agents),
      children: Object.fromEntries(
        CHILD_KINDS.map((c) => [c.kind, storeOf(this.children[c.kind])]),
      ) as Record<ChildKind, Store<KubernetesObject>>,
      ownedRegions: o.ownedRegions,
      childOptions: o.childOptions,
    });
    this.trunkController = new SipTrunkController({
      ...deps,
      trunks: storeOf(this.trunks),
      secrets: storeOf(this.secrets),
    });
    this.agentQueue = this.queue('voiceagent');
    this.trunkQueue = this.queue('siptrunk');
    this.wireEvents();
  }

  private queue(controller: string): WorkQueue {
    const m = this.o.metrics;
    return new WorkQueue({
      workers: this.o.workers,
      hooks: {
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
      },
    });
  }

  private wireEvents(): void {
    const addAll = (q: WorkQueue, keys: readonly string[]) => {
      for (const k of keys) q.add(k);
    };
    const ac = this.agentController;
    this.agents.on('add', (a) => addAll(this.agentQueue, ac.keysForAgent(a)));
    this.agents.on('update', (old, a) => addAll(this.agentQueue, ac.keysForAgent(a, old)));
    this.agents.on('delete', (a) => addAll(this.agentQueue, ac.keysForAgent(a)));
    for (const informer of Object.values(this.children)) {
      const enqueueOwner = (child: KubernetesObject) => {
        const key = ac.keyForChild(child);
        if (key !== undefined) this.agentQueue.add(key);
      };
      informer.on('add', enqueueOwner);
      informer.on('update', (_old, child) => enqueueOwner(child));
      informer.on('delete', enqueueOwner);
    }
    const tc = this.trunkController;
    const enqueueTrunk = (t: KubernetesObject) =>
      this.trunkQueue.add(`${t.metadata?.namespace ?? ''}/${t.metadata?.name ?? ''}`);
    this.trunks.on('add', enqueueTrunk);
    this.trunks.on('update', (_old, t) => enqueueTrunk(t));
    const bySecret = (s: V1Secret) => addAll(this.trunkQueue, tc.keysForSecret(s));
    this.secrets.on('add', bySecret);
    this.secrets.on('update', (_old, s) => bySecret(s));
    this.secrets.on('delete', bySecret);
  }

  private informers(): Informer<KubernetesObject>[] {
    return [
      this.agents as unknown as Informer<KubernetesObject>,
      this.trunks as unknown as Informer<KubernetesObject>,
      this.secrets,
      ...Object.values(this.children),
    ];
  }

  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced());
  }

  /** Runs every informer until `signal` aborts (on leaders and standbys alike). */
  async runInformers(signal: AbortSignal): Promise<void> {
    for (const i of this.informers()) {
      i.on('error', (err) => this.o.log.warn('list/watch failed, retrying', { err }));
    }
    await Promise.all(this.informers().map((i) => i.run(signal)));
  }

  /** While leading: waits for synced caches, queues every object once, runs the workers. */
  async lead(signal: AbortSignal): Promise<void> {
    await Promise.all(this.informers().map((i) => i.waitForSync(signal)));
    for (const k of this.agentController.allKeys()) this.agentQueue.add(k);
    for (const k of this.trunkController.allKeys()) this.trunkQueue.add(k);
    const agentHandler: KeyHandler = (key) => this.agentController.reconcile(key);
    const trunkHandler: KeyHandler = (key) => this.trunkController.reconcile(key);
    await Promise.all([
      this.agentQueue.run(agentHandler, signal),
      this.trunkQueue.run(trunkHandler, signal),
    ]);
  }
}
