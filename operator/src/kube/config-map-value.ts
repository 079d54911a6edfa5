// One value kept in a ConfigMap key, read with a GET and written with server-side apply (one field
// manager, `force`), for state the operator must find again after a restart: the edge's set-id
// assignment. A missing ConfigMap reads as undefined; applying creates it.
import { MANAGED_BY, MANAGED_BY_LABEL } from '@voicefleet/api';
import type { KubeConfig } from '@kubernetes/client-node';
import { recordApiWrite } from '../runtime/api-writes.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { createKubeRest, KubeApiError, namespacedPath, type KubeRest } from './kube-rest.js';

export interface ConfigMapKeyRef {
  namespace: string;
  name: string;
  key: string;
}

export interface ConfigMapValue {
  read(): Promise<string | undefined>;
  write(value: string): Promise<void>;
}

export function configMapValue(
  kc: KubeConfig,
  ref: ConfigMapKeyRef,
  fieldManager: string,
  metrics: OperatorMetrics,
  rest: KubeRest = createKubeRest(kc),
): ConfigMapValue {
  const path = namespacedPath('v1', 'configmaps', ref.namespace, ref.name);
  const where = `ConfigMap ${ref.namespace}/${ref.name}`;
  return {
    async read() {
      try {
        const cm = (await rest.request('GET', path)) as { data?: Record<string, string> };
        return cm.data?.[ref.key];
      } catch (cause) {
        if (cause instanceof KubeApiError && cause.statusCode === 404) return undefined;
        throw new Error(`read ${where}`, { cause });
      }
    },
    async write(value) {
      recordApiWrite(metrics, { verb: 'apply', kind: 'ConfigMap' });
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
        },
        data: { [ref.key]: value },
      };
      const query = `?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
      try {
        await rest.request('PATCH', path + query, body, 'application/apply-patch+yaml');
      } catch (cause) {
        throw new Error(`apply ${where}`, { cause });
      }
    },
  };
}
