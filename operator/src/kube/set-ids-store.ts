// Persistence of the set id assignment in a ConfigMap (key `setIds`, JSON), written with
// server-side apply by the edge field manager before Kamailio is told about a new id.
import type { CoreV1Api } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parseSetIds, serializeSetIds, type SetIdAssignment } from '../edge/set-ids.js';

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

export async function loadSetIds(core: CoreV1Api, ref: ConfigMapRef): Promise<Map<string, number>> {
  try {
    const cm = await core.readNamespacedConfigMap(ref);
    return parseSetIds(cm.data?.['setIds']);
  } catch (error) {
    if (statusOf(error) === 404) return new Map();
    throw new Error(`read ConfigMap ${ref.namespace}/${ref.name}`, { cause: error });
  }
}

export async function saveSetIds(
  core: CoreV1Api,
  ref: ConfigMapRef,
  assignment: SetIdAssignment,
): Promise<void> {
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'voicefleet' },
    },
    data: { setIds: serializeSetIds(assignment) },
  };
  try {
    await core.patchNamespacedConfigMap(
      { ...ref, body, fieldManager: 'voicefleet-edge', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  } catch (error) {
    throw new Error(`apply ConfigMap ${ref.namespace}/${ref.name}`, { cause: error });
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { code?: number; statusCode?: number; response?: { httpStatusCode?: number } };
  return e.code ?? e.statusCode ?? e.response?.httpStatusCode;
}
