// Which VoiceAgents an informer event concerns (the work queue holds keys, never events): the
// agent itself and the agents sharing its numbers, a child's owner, the agents naming a SipTrunk
// or a Secret, a media pod's agent. Also the number ownership over all cached agents, recomputed only after an agent
// event (it depends only on who claims which numbers since when).
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import { AGENT_LABEL, VOICE_AGENT_KIND, type SipTrunk, type VoiceAgent } from '@voicefleet/api';
import type { CachedObject } from '../kube/cached-object.js';
import { namespacedKey, type Store } from '../kube/store.js';
import type { Stored } from '../kube/stored.js';
import { readVoiceAgent } from '../resources.js';
import { secretReferences } from './agent-references.js';
import {
  agentsSharingNumbers,
  creationTime,
  decideNumberOwnership,
  type LostNumber,
  type NumberClaimant,
  type NumberOwnership,
} from './number-ownership.js';

/** Index of the media-pod cache: `<namespace>/<agent>` of the agent a pod serves. */
export const POD_BY_AGENT = 'agent';

export const mediaPodIndexes: Record<string, (p: V1Pod) => readonly string[]> = {
  [POD_BY_AGENT]: (p) => {
    const agent = p.metadata?.labels?.[AGENT_LABEL];
    return agent === undefined ? [] : [`${p.metadata?.namespace ?? ''}/${agent}`];
  },
};

/** Index names on the agent cache (see agentIndexes). */
export const BY_TRUNK = 'trunk';
export const BY_SECRET = 'secret';

/** `<namespace>/<name>` of each SipTrunk and Secret an agent names, for the agent cache's indexes. */
export const agentIndexes: Record<string, (a: Stored<VoiceAgent>) => readonly string[]> = {
  [BY_TRUNK]: (a) => {
    const read = readVoiceAgent(a);
    return read.errors.length > 0
      ? []
      : read.value.spec.trunks.map((t) => `${a.metadata.namespace}/${t}`);
  },
  [BY_SECRET]: (a) => {
    const read = readVoiceAgent(a);
    return read.errors.length > 0
      ? []
      : secretReferences(read.value.spec).map((r) => `${a.metadata.namespace}/${r.name}`);
  },
};

export class VoiceAgentKeys {
  private ownership: { version: number; value: NumberOwnership } | undefined;
  private agentsVersion = 0;

  constructor(private readonly agents: Store<Stored<VoiceAgent>>) {}

  /** An agent was added, changed or deleted: itself, and the agents sharing its numbers. */
  forAgent(agent: Stored<VoiceAgent>, previous?: Stored<VoiceAgent>): string[] {
    const self = namespacedKey(agent);
    const numbers = numbersOf(agent);
    const before = previous === undefined ? [] : numbersOf(previous);
    const sameClaims =
      previous !== undefined &&
      previous.metadata.uid === agent.metadata.uid &&
      numbers.join(',') === before.join(',');
    if (sameClaims) return [self];
    this.agentsVersion++;
    return [self, ...agentsSharingNumbers(this.claimants(), [...numbers, ...before], self)];
  }

  /** The VoiceAgent that controls a child, if any. */
  forChild(child: CachedObject): string[] {
    const owner = child.metadata?.ownerReferences?.find(
      (r) => r.controller === true && r.kind === VOICE_AGENT_KIND,
    );
    return owner?.name === undefined ? [] : [`${child.metadata?.namespace ?? ''}/${owner.name}`];
  }

  forTrunk(trunk: Stored<SipTrunk>): string[] {
    return this.agents.byIndex(BY_TRUNK, namespacedKey(trunk)).map((a) => namespacedKey(a));
  }

  forSecret(secret: V1Secret): string[] {
    return this.agents
      .byIndex(BY_SECRET, `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`)
      .map((a) => namespacedKey(a));
  }

  all(): string[] {
    return this.agents.list().map((a) => namespacedKey(a));
  }

  /** Numbers the agent claims that an older agent holds. */
  lostNumbers(key: string): LostNumber[] {
    if (this.ownership?.version !== this.agentsVersion) {
      this.ownership = {
        version: this.agentsVersion,
        value: decideNumberOwnership(this.claimants()),
      };
    }
    return this.ownership.value.lost.get(key) ?? [];
  }

  private claimants(): NumberClaimant[] {
    return this.agents.list().map((a) => ({
      namespace: a.metadata.namespace,
      name: a.metadata.name,
      creationTimestamp: creationTime(a.metadata),
      numbers: numbersOf(a),
    }));
  }
}

/** The numbers an agent claims; an agent admission would reject claims none. */
function numbersOf(agent: Stored<VoiceAgent>): string[] {
  const read = readVoiceAgent(agent);
  return read.errors.length > 0 ? [] : read.value.spec.numbers;
}
