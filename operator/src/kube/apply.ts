// Server-side apply for the operator: children of any kind through KubernetesObjectApi, status
// of our custom resources through the status subresource. One field manager (`voicefleet`),
// `force: true`, and no request at all when the live object already holds the desired fields.
import {
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { APPLIED_HASH_ANNOTATION } from '@voicefleet/api';
import { containsDesired, stableHash } from '../runtime/apply-diff.js';
import {
  KIND_RESOURCES,
  KubeApiError,
  createKubeRest,
  namespacedPath,
  type KubeRest,
} from './kube-rest.js';
import { recordApiWrite } from '../runtime/api-writes.js';
import type { OperatorMetrics } from '../runtime/metrics.js';

export const FIELD_MANAGER = 'voicefleet';
/**
 * Holds a Deployment's replicas for a moment when the operator stops setting them
 * (`capacity.scaling: external`), so they keep their value until the external scaler writes its
 * own instead of falling back to 1 (server-side apply removes a field its only manager drops).
 */
export const REPLICAS_HANDOFF_MANAGER = 'voicefleet-replicas-handoff';

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
  /** Sets annotations on a pod (a merge patch: other annotations stay). */
  annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void>;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}

/** Whether `manager` applied the live object's `spec.replicas`. */
export function appliesReplicas(live: KubernetesObject | undefined, manager: string): boolean {
  const entries = (live?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.some(
    (e) =>
      e.manager === manager &&
      e.operation === 'Apply' &&
      (e.subresource ?? '') === '' &&
      e.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined,
  );
}

/** A Deployment we applied with replicas, now applied without: its replicas need a holder. */
export function needsReplicasHandoff(
  desired: KubernetesObject,
  live: KubernetesObject | undefined,
  manager: string,
): boolean {
  if (desired.kind !== 'Deployment' || live === undefined) return false;
  const spec = (desired as { spec?: { replicas?: number } }).spec;
  return spec?.replicas === undefined && appliesReplicas(live, manager);
}

/**
 * The API server's message when it refused a write as invalid (HTTP 422): input that retrying
 * cannot fix. Undefined for any other failure.
 */
export function rejectionMessage(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof KubeApiError && e.statusCode === 422) return e.serverMessage || e.message;
  }
  return undefined;
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
  return (
    live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === want && containsDesired(desired, live)
  );
}

export function createApplier(
  kc: KubeConfig,
  metrics: OperatorMetrics,
  fieldManager = FIELD_MANAGER,
  rest: KubeRest = createKubeRest(kc),
): Applier {
  let objects: KubernetesObjectApi | undefined;
  const query = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
  const statusPath = (t: StatusTarget) =>
    `${namespacedPath(`${t.group}/${t.version}`, t.plural, t.namespace, t.name)}/status`;
  return {
    async apply(desired, live) {
      const stamped = withAppliedHash(desired);
      const kind = desired.kind ?? 'Unknown';
      const ns = desired.metadata?.namespace ?? '';
      const name = desired.metadata?.name ?? '';
      if (isUpToDate(stamped, live)) {
        metrics.applySkipped.inc({ kind });
        return 'unchanged';
      }
      recordApiWrite(metrics, { verb: 'apply', kind });
      try {
        if (needsReplicasHandoff(desired, live, fieldManager)) {
          const replicas = (live as { spec?: { replicas?: number } } | undefined)?.spec?.replicas;
          recordApiWrite(metrics, { verb: 'apply', kind });
          await rest.request(
            'PATCH',
            `${namespacedPath('apps/v1', 'deployments', ns, name)}?fieldManager=${REPLICAS_HANDOFF_MANAGER}&force=true`,
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name, namespace: ns },
              spec: { replicas },
            },
            PatchStrategy.ServerSideApply,
          );
        }
        const known = KIND_RESOURCES[kind];
        if (known !== undefined && known.apiVersion === desired.apiVersion) {
          await rest.request(
            'PATCH',
            namespacedPath(known.apiVersion, known.plural, ns, name) + query,
            stamped,
            PatchStrategy.ServerSideApply,
          );
        } else {
          objects ??= KubernetesObjectApi.makeApiClient(kc);
          await objects.patch(
            stamped,
            undefined,
            undefined,
            fieldManager,
            true,
            PatchStrategy.ServerSideApply,
          );
        }
      } catch (cause) {
        throw new Error(`apply ${kind} ${ns}/${name}`, { cause });
      }
      return 'applied';
    },
    async applyStatus(target, status) {
      recordApiWrite(metrics, { verb: 'apply-status', kind: target.kind });
      const body = {
        apiVersion: `${target.group}/${target.version}`,
        kind: target.kind,
        metadata: { name: target.name, namespace: target.namespace },
        status,
      };
      try {
        await rest.request(
          'PATCH',
          statusPath(target) + query,
          body,
          PatchStrategy.ServerSideApply,
        );
      } catch (cause) {
        throw new Error(`apply ${target.kind} status ${target.namespace}/${target.name}`, {
          cause,
        });
      }
    },
    async annotatePod(namespace, name, annotations) {
      recordApiWrite(metrics, { verb: 'patch', kind: 'Pod' });
      try {
        await rest.request(
          'PATCH',
          `${namespacedPath('v1', 'pods', namespace, name)}?fieldManager=${encodeURIComponent(fieldManager)}`,
          { metadata: { annotations } },
          PatchStrategy.MergePatch,
        );
      } catch (cause) {
        if (cause instanceof KubeApiError && cause.statusCode === 404) return; // gone meanwhile
        throw new Error(`annotate Pod ${namespace}/${name}`, { cause });
      }
    },
  };
}
