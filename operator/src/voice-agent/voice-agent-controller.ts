// The VoiceAgent reconciler: gather (caches) -> decideVoiceAgent (pure) -> apply (children by
// server-side apply, skipped when unchanged; at most one status write; Events). Also maps
// informer events to queue keys: an agent, the agents sharing its numbers, a child's owner.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { GROUP, VERSION, VOICE_AGENT_KIND, VOICE_AGENT_PLURAL } from '@voicefleet/api';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { decideVoiceAgent } from './decide-voice-agent.js';
import type { ChildOptions } from './desired-children.js';
import type { MediaNodeConfigOptions } from './media-node-config.js';
import { childName } from './child-names.js';
import {
  agentKey,
  agentsSharingNumbers,
  creationTime,
  decideNumberOwnership,
  type NumberClaimant,
  type NumberOwnership,
} from './number-ownership.js';
import {
  objectKey,
  splitKey,
  type ControllerDeps,
  type Store,
} from '../manager/controller-deps.js';
import type { VoiceAgentObject } from '../resources.js';

export interface VoiceAgentControllerOptions extends ControllerDeps {
  agents: Store<VoiceAgentObject>;
  /** Live children by kind, from informers filtered on the managed-by label. */
  children: Record<
    'ConfigMap' | 'Service' | 'PodDisruptionBudget' | 'Deployment',
    Store<KubernetesObject>
  >;
  ownedRegions: readonly string[];
  childOptions: ChildOptions & MediaNodeConfigOptions;
}

export class VoiceAgentController {
  private ownership: { version: number; value: NumberOwnership } | undefined;
  private agentsVersion = 0;

  constructor(private readonly o: VoiceAgentControllerOptions) {}

  /** Keys to enqueue for an agent event (add/update/delete): itself and agents sharing numbers. */
  keysForAgent(agent: VoiceAgentObject, previous?: VoiceAgentObject): string[] {
    // Ownership depends only on who claims which numbers since when: status updates keep it.
    const sameClaims =
      previous !== undefined &&
      previous.metadata.uid === agent.metadata.uid &&
      (previous.spec?.numbers ?? []).join(',') === (agent.spec?.numbers ?? []).join(',');
    const self = objectKey(agent);
    if (sameClaims) return [self];
    this.agentsVersion++;
    const numbers = [...(agent.spec?.numbers ?? []), ...(previous?.spec?.numbers ?? [])];
    return [self, ...agentsSharingNumbers(this.claimants(), numbers, self)];
  }

  /** Key of the VoiceAgent that controls a child, if any. */
  keyForChild(child: KubernetesObject): string | undefined {
    const owner = child.metadata?.ownerReferences?.find(
      (r) => r.controller === true && r.kind === VOICE_AGENT_KIND,
    );
    return owner === undefined ? undefined : `${child.metadata?.namespace ?? ''}/${owner.name}`;
  }

  allKeys(): string[] {
    return this.o.agents.list().map((a) => objectKey(a));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const agent = this.o.agents.get(name, namespace);
    if (agent === undefined || agent.metadata.deletionTimestamp !== undefined) return undefined; // GC removes children

    const deployments = new Map<string, V1Deployment | undefined>();
    for (const region of this.o.ownedRegions) {
      deployments.set(region, this.o.children.Deployment.get(childName(name, region), namespace));
    }
    const decision = decideVoiceAgent({
      agent,
      ownedRegions: this.o.ownedRegions,
      lostNumbers: this.numberOwnership().lost.get(agentKey({ namespace, name })) ?? [],
      deployments,
      options: this.o.childOptions,
      now: this.o.now(),
    });

    await Promise.all(
      decision.children.map((child) => {
        const store = this.o.children[child.kind as keyof VoiceAgentControllerOptions['children']];
        return this.o.applier.apply(child, store.get(child.metadata?.name ?? '', namespace));
      }),
    );
    if (decision.statusChanged) {
      await this.o.applier.applyStatus(
        {
          group: GROUP,
          version: VERSION,
          plural: VOICE_AGENT_PLURAL,
          kind: VOICE_AGENT_KIND,
          namespace,
          name,
        },
        decision.status as unknown as Record<string, unknown>,
      );
    }
    const target = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: VOICE_AGENT_KIND,
      namespace,
      name,
      uid: agent.metadata.uid,
    };
    for (const event of decision.events) {
      await this.o.events.record(target, event, this.o.now()).catch((err: unknown) => {
        this.o.log.warn('event not recorded', { key, reason: event.reason, err });
      });
    }
    return decision.requeueAfterMs !== undefined
      ? { requeueAfterMs: decision.requeueAfterMs }
      : undefined;
  }

  private claimants(): NumberClaimant[] {
    return this.o.agents.list().map((a) => ({
      namespace: a.metadata.namespace,
      name: a.metadata.name,
      creationTimestamp: creationTime(a.metadata),
      numbers: a.spec?.numbers ?? [],
    }));
  }

  /** Ownership over all cached agents, recomputed only after an agent event. */
  private numberOwnership(): NumberOwnership {
    if (this.ownership?.version !== this.agentsVersion) {
      this.ownership = {
        version: this.agentsVersion,
        value: decideNumberOwnership(this.claimants()),
      };
    }
    return this.ownership.value;
  }
}
