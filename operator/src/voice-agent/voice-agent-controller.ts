// The VoiceAgent reconciler: gather (caches, and the calls each media pod reported) ->
// decideVoiceAgent (pure) -> apply (children by server-side apply, skipped when unchanged; the
// pod-deletion-costs a scale-down needs; at most one status write; Events). A decision that
// throws, or a child the API server refuses as invalid, ends as `Ready=False` saying why, not as
// a retry loop with no status.
import type { KubernetesObject, V1Deployment, V1Pod, V1Secret } from '@kubernetes/client-node';
import { REGION_LABEL, VOICE_AGENT_KIND, type SipTrunk, type VoiceAgent } from '@voicefleet/api';
import { FIELD_MANAGER, rejectionMessage } from '../kube/apply.js';
import { eventTargetOf, recordEvents, statusTargetOf } from '../kube/custom-resources.js';
import { splitKey, type Store } from '../kube/store.js';
import type { Stored } from '../kube/stored.js';
import type { ControllerDeps } from '../manager/controller-deps.js';
import { readVoiceAgent } from '../resources.js';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { WrittenStatuses } from '../runtime/written-status.js';
import { DELETION_COST_ANNOTATION } from '../scaling/pod-deletion-cost.js';
import { mediaPod, type PodLoads } from '../scaling/media-pods.js';
import type { MediaPod } from '../scaling/pool-load.js';
import type { PoolMetrics } from '../scaling/pool-metrics.js';
import { secretReferences } from './agent-references.js';
import { childName } from './child-names.js';
import {
  decideFailure,
  decideRejectedChild,
  decideVoiceAgent,
  type VoiceAgentDecision,
  type VoiceAgentInput,
  type VoiceAgentStatusOut,
} from './decide-voice-agent.js';
import type { ChildOptions } from './desired-children.js';
import type { MediaNodeConfigOptions } from './media-node-config.js';
import { POD_BY_AGENT, type VoiceAgentKeys } from './voice-agent-keys.js';

export type ChildKind =
  | 'ConfigMap'
  | 'Service'
  | 'PodDisruptionBudget'
  | 'Deployment'
  | 'NetworkPolicy'
  | 'PodMonitor'
  | 'PrometheusRule';

export interface VoiceAgentControllerOptions extends ControllerDeps {
  agents: Store<Stored<VoiceAgent>>;
  trunks: Store<Stored<SipTrunk>>;
  secrets: Store<V1Secret>;
  /** Live children by kind, from informers filtered on the managed-by label (monitoring kinds
   * only when the operator manages monitoring, NetworkPolicies only when it writes them). */
  children: Partial<Record<ChildKind, Store<KubernetesObject>>>;
  /** Media pods, indexed by POD_BY_AGENT, and the calls each one reports. */
  mediaPods: Store<V1Pod>;
  loads: PodLoads;
  keys: VoiceAgentKeys;
  poolMetrics?: PoolMetrics;
  ownedRegions: readonly string[];
  childOptions: ChildOptions & MediaNodeConfigOptions;
}

export class VoiceAgentController {
  /** What the last status write set, until the agents' cache shows it (one write per change). */
  private readonly written = new WrittenStatuses<VoiceAgentStatusOut>();

  constructor(private readonly o: VoiceAgentControllerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const input = this.gather(key);
    if (input === undefined) {
      this.o.poolMetrics?.forget(key);
      this.written.forget(key);
      return undefined; // gone or going: GC removes the children
    }
    let decision: VoiceAgentDecision;
    try {
      decision = decideVoiceAgent(input);
    } catch (error) {
      this.o.log.error('voiceagent decision failed', { key, err: error });
      decision = decideFailure(input, error);
    }
    decision = await this.applyChildren(input, decision);
    const { namespace } = input.agent.metadata;
    for (const patch of decision.costPatches) {
      const pod = splitKey(patch.key);
      await this.o.applier.annotatePod(pod.namespace || namespace, pod.name, {
        [DELETION_COST_ANNOTATION]: String(patch.cost),
      });
    }
    this.o.poolMetrics?.observe(key, decision.status.regions, decision.scaled);
    if (decision.statusChanged) {
      await this.o.applier.applyStatus(
        statusTargetOf(VOICE_AGENT_KIND, input.agent),
        decision.status,
      );
      this.written.remember(key, input.agent.metadata.resourceVersion, decision.status, input.now);
    }
    const target = eventTargetOf(VOICE_AGENT_KIND, input.agent);
    await recordEvents(this.o.events, target, decision.events, input.now, this.o.log);
    return decision.requeueAfterMs !== undefined
      ? { requeueAfterMs: decision.requeueAfterMs }
      : undefined;
  }

  private gather(key: string): VoiceAgentInput | undefined {
    const { namespace, name } = splitKey(key);
    const stored = this.o.agents.get(name, namespace);
    if (stored === undefined || stored.metadata.deletionTimestamp !== undefined) return undefined;
    const { object: cached, writtenAt } = this.written.current(key, stored);
    const { value: agent, errors } = readVoiceAgent(cached);
    const deployments = new Map<string, V1Deployment | undefined>();
    for (const region of this.o.ownedRegions) {
      deployments.set(region, this.o.children.Deployment?.get(childName(name, region), namespace));
    }
    const mediaPods = new Map<string, V1Pod[]>();
    for (const pod of this.o.mediaPods.byIndex(POD_BY_AGENT, key)) {
      const region = pod.metadata?.labels?.[REGION_LABEL] ?? '';
      mediaPods.set(region, [...(mediaPods.get(region) ?? []), pod]);
    }
    const pods = new Map<string, MediaPod[]>(
      [...mediaPods].map(([region, list]) => [region, list.map((p) => mediaPod(p, this.o.loads))]),
    );
    const spec = errors.length > 0 ? undefined : agent.spec;
    const trunks = new Map(
      (spec?.trunks ?? []).map((t) => [t, this.o.trunks.get(t, namespace) !== undefined]),
    );
    const trunkReady = new Map(
      (spec?.trunks ?? []).map((t) => [
        t,
        this.o.trunks.get(t, namespace)?.status?.conditions?.find((c) => c.type === 'Ready'),
      ]),
    );
    const secrets = new Map(
      (spec === undefined ? [] : secretReferences(spec)).map(({ name: secret }) => {
        const found = this.o.secrets.get(secret, namespace);
        return [secret, found === undefined ? undefined : Object.keys(found.data ?? {})];
      }),
    );
    return {
      agent,
      specErrors: errors,
      references: { trunks, trunkReady, secrets },
      ownedRegions: this.o.ownedRegions,
      lostNumbers: this.o.keys.lostNumbers(key),
      deployments,
      mediaPods,
      pods,
      statusWrittenAt: writtenAt ?? statusWrittenAt(cached),
      options: this.o.childOptions,
      now: this.o.now(),
    };
  }

  /** Applies every child; a child refused as invalid turns the decision into that rejection. */
  private async applyChildren(
    input: VoiceAgentInput,
    decision: VoiceAgentDecision,
  ): Promise<VoiceAgentDecision> {
    const namespace = input.agent.metadata.namespace;
    const results = await Promise.allSettled(
      decision.children.map((child) => {
        const live = this.o.children[child.kind as ChildKind]?.get(
          child.metadata?.name ?? '',
          namespace,
        );
        return this.o.applier.apply(child, live);
      }),
    );
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const message = rejectionMessage(result.reason);
      if (message === undefined) throw result.reason;
      const child = decision.children[i];
      return decideRejectedChild(input, decision, {
        kind: child?.kind ?? 'object',
        name: child?.metadata?.name ?? '',
        message,
      });
    }
    return decision;
  }
}

/** When the operator last changed the object's status: its field manager's entry on `status`. */
export function statusWrittenAt(obj: { metadata?: object }): Date | undefined {
  const { managedFields } = (obj.metadata ?? {}) as {
    managedFields?: readonly { manager?: string; subresource?: string; time?: string | Date }[];
  };
  const entry = managedFields?.find(
    (m) => m.manager === FIELD_MANAGER && m.subresource === 'status',
  );
  return entry?.time === undefined ? undefined : new Date(entry.time);
}
