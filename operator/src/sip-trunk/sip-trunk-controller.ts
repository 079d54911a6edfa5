// The SipTrunk reconciler: gather (trunk, key names of its credentials Secret) ->
// decideSipTrunk (pure) -> apply (one status apply when changed, a one-time gateway
// initialisation patch, Events). Secret events requeue the trunks that reference the Secret.
// Secret values are never read into logs, status or Events: only key names leave the cache.
import type { V1Secret } from '@kubernetes/client-node';
import { GROUP, SIP_TRUNK_KIND, SIP_TRUNK_PLURAL, VERSION } from '@voicefleet/api';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { decideSipTrunk } from './decide-sip-trunk.js';
import {
  objectKey,
  splitKey,
  type ControllerDeps,
  type Store,
} from '../manager/controller-deps.js';
import type { SipTrunkObject } from '../resources.js';

export interface SipTrunkControllerOptions extends ControllerDeps {
  trunks: Store<SipTrunkObject>;
  secrets: Store<V1Secret>;
}

export class SipTrunkController {
  constructor(private readonly o: SipTrunkControllerOptions) {}

  keysForSecret(secret: V1Secret): string[] {
    const ns = secret.metadata?.namespace ?? '';
    const name = secret.metadata?.name;
    return this.o.trunks
      .list(ns)
      .filter((t) => t.spec?.outbound?.credentialsSecretRef?.name === name)
      .map((t) => objectKey(t));
  }

  allKeys(): string[] {
    return this.o.trunks.list().map((t) => objectKey(t));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const trunk = this.o.trunks.get(name, namespace);
    if (trunk === undefined || trunk.metadata.deletionTimestamp !== undefined) return undefined;
    const secretName = trunk.spec.outbound?.credentialsSecretRef?.name;
    const secret = secretName === undefined ? undefined : this.o.secrets.get(secretName, namespace);
    const secretKeys =
      secret === undefined
        ? undefined
        : [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})];

    const decision = decideSipTrunk({ trunk, secretKeys, now: this.o.now() });
    const target = {
      group: GROUP,
      version: VERSION,
      plural: SIP_TRUNK_PLURAL,
      kind: SIP_TRUNK_KIND,
      namespace,
      name,
    };
    if (decision.statusChanged) {
      await this.o.applier.applyStatus(
        target,
        decision.status as unknown as Record<string, unknown>,
      );
    }
    if (decision.gatewayInit.length > 0)
      await this.o.applier.patchStatus(target, decision.gatewayInit);
    const eventTarget = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: SIP_TRUNK_KIND,
      namespace,
      name,
      uid: trunk.metadata.uid,
    };
    for (const event of decision.events) {
      await this.o.events.record(eventTarget, event, this.o.now()).catch((err: unknown) => {
        this.o.log.warn('event not recorded', { key, reason: event.reason, err });
      });
    }
    return undefined;
  }
}
