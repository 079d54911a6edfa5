// The SipTrunk reconciler: gather (the trunk and the key names of its credentials Secret, from the
// caches) -> decideSipTrunk (pure) -> apply (one status write when it changed; Events). Secret
// values are never read into logs, status or Events: only key names leave the cache.
import type { V1Secret } from '@kubernetes/client-node';
import { SIP_TRUNK_KIND, type SipTrunk } from '@voicefleet/api';
import { eventTargetOf, recordEvents, statusTargetOf } from '../kube/custom-resources.js';
import { namespacedKey, splitKey, type Store } from '../kube/store.js';
import type { Stored } from '../kube/stored.js';
import type { ControllerDeps } from '../manager/controller-deps.js';
import { readSipTrunk } from '../resources.js';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { WrittenStatuses } from '../runtime/written-status.js';
import { decideSipTrunk, type SipTrunkInput, type SipTrunkStatusOut } from './decide-sip-trunk.js';

export interface SipTrunkControllerOptions extends ControllerDeps {
  trunks: Store<Stored<SipTrunk>>;
  secrets: Store<V1Secret>;
}

/** Index name on the trunk cache: `<namespace>/<Secret name>` of the credentials Secret. */
export const BY_CREDENTIALS = 'credentials';

export const trunkIndexes: Record<string, (t: Stored<SipTrunk>) => readonly string[]> = {
  [BY_CREDENTIALS]: (t) => {
    const read = readSipTrunk(t);
    if (read.errors.length > 0) return [];
    const name = read.value.spec.outbound?.credentialsSecretRef?.name;
    return name === undefined ? [] : [`${t.metadata.namespace}/${name}`];
  },
};

export class SipTrunkController {
  /** What the last status write set, until the trunks' cache shows it (one write per change). */
  private readonly written = new WrittenStatuses<SipTrunkStatusOut>();

  constructor(private readonly o: SipTrunkControllerOptions) {}

  /** Trunks whose credentials are this Secret. */
  keysForSecret(secret: V1Secret): string[] {
    const key = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
    return this.o.trunks.byIndex(BY_CREDENTIALS, key).map((t) => namespacedKey(t));
  }

  allKeys(): string[] {
    return this.o.trunks.list().map((t) => namespacedKey(t));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const input = this.gather(key);
    if (input === undefined) {
      this.written.forget(key);
      return undefined;
    }
    const decision = decideSipTrunk(input);
    if (decision.statusChanged) {
      await this.o.applier.applyStatus(
        statusTargetOf(SIP_TRUNK_KIND, input.trunk),
        decision.status as unknown as Record<string, unknown>,
      );
      this.written.remember(key, input.trunk.metadata.resourceVersion, decision.status, input.now);
    }
    const target = eventTargetOf(SIP_TRUNK_KIND, input.trunk);
    await recordEvents(this.o.events, target, decision.events, input.now, this.o.log);
    return undefined;
  }

  private gather(key: string): SipTrunkInput | undefined {
    const { namespace, name } = splitKey(key);
    const stored = this.o.trunks.get(name, namespace);
    if (stored === undefined || stored.metadata.deletionTimestamp !== undefined) return undefined;
    const { value: trunk, errors } = readSipTrunk(this.written.current(key, stored).object);
    const secretName =
      errors.length > 0 ? undefined : trunk.spec.outbound?.credentialsSecretRef?.name;
    const secret = secretName === undefined ? undefined : this.o.secrets.get(secretName, namespace);
    return {
      trunk,
      specErrors: errors,
      secretKeys: secret === undefined ? undefined : Object.keys(secret.data ?? {}),
      now: this.o.now(),
    };
  }
}
