// Server-side apply for the operator: children of any kind through KubernetesObjectApi, status
// of our custom resources through the status subresource. One field manager (`voicefleet`),
// `force: true`, and no request at all when the live object already holds the desired fields.
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { APPLIED_HASH_ANNOTATION, containsDesired, stableHash } from './apply-diff.js';
import type { OperatorMetrics } from './metrics.js';

export const FIELD_MANAGER = 'voicefleet';

export interface StatusTarget {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespace: string;
  name: string;
}

export type ApplyResult = 'applied' | 'unchanged';

export interface Applier {
  /** Applies `desired` unless `live` (from the informer cache) already matches it. */
  apply(desired: KubernetesObject, live: KubernetesObject | undefined): Promise<ApplyResult>;
  /** Applies the fields of `status` this manager owns on the status subresource. */
  applyStatus(target: StatusTarget, status: Record<string, unknown>): Promise<void>;
  /** JSON patch on the status subresource (operation Update, so later applies never remove it). */
  patchStatus(target: StatusTarget, ops: readonly JsonPatchOp[]): Promise<void>;
}

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'test' | 'remove';
  path: string;
  value?: unknown;
}

/** Adds the applied-hash annotation: a change in it catches fields removed from the desired object. */
export function withAppliedHash<T extends KubernetesObject>(desired: T): T {
  const hash = stableHash(desired);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash },
    },
  };
}

export function isUpToDate(desired: KubernetesObject, live: KubernetesObject | undefined): boolean {
  if (live === undefined) return false;
  const want = desired.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
  return live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === want && containsDesired(desired, live);
}

export function createApplier(kc: KubeConfig, metrics: OperatorMetrics, fieldManager = FIELD_MANAGER): Applier {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    async apply(desired, live) {
      const stamped = withAppliedHash(desired);
      const kind = desired.kind ?? 'Unknown';
      if (isUpToDate(stamped, live)) {
        metrics.applySkipped.inc({ kind });
        return 'unchanged';
      }
      metrics.apiWrites.inc({ verb: 'apply', kind });
      try {
        await objects.patch(stamped, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      } catch (cause) {
        throw new Error(`apply ${kind} ${desired.metadata?.namespace ?? ''}/${desired.metadata?.name ?? ''}`, {
          cause,
        });
      }
      return 'applied';
    },
    async applyStatus(target, status) {
      metrics.apiWrites.inc({ verb: 'apply-status', kind: target.kind });
      const body = {
        apiVersion: `${target.group}/${target.version}`,
        kind: target.kind,
        metadata: { name: target.name, namespace: target.namespace },
        status,
      };
      try {
        await custom.patchNamespacedCustomObjectStatus(
          { ...targetParams(target), body, fieldManager, force: true },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        );
      } catch (cause) {
        throw new Error(`apply ${target.kind} status ${target.namespace}/${target.name}`, { cause });
      }
    },
    async patchStatus(target, ops) {
      metrics.apiWrites.inc({ verb: 'patch-status', kind: target.kind });
      try {
        await custom.patchNamespacedCustomObjectStatus(
          { ...targetParams(target), body: ops, fieldManager },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
        );
      } catch (cause) {
        throw new Error(`patch ${target.kind} status ${target.namespace}/${target.name}`, { cause });
      }
    },
  };
}

function targetParams(t: StatusTarget) {
  return { group: t.group, version: t.version, namespace: t.namespace, plural: t.plural, name: t.name };
}
