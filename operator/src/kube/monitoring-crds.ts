// Whether the Prometheus operator's PodMonitor and PrometheusRule CRDs exist, read once when the
// operator starts: without them the operator writes no monitoring objects (and a cluster that
// installs them later needs an operator restart). The chart grants `get` on exactly these two.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, createKubeRest, type KubeRest } from './kube-rest.js';

export const MONITORING_CRDS = [
  'podmonitors.monitoring.coreos.com',
  'prometheusrules.monitoring.coreos.com',
] as const;

/** The CRDs that are missing; empty when both exist. Other errors (403, network) throw. */
export async function missingMonitoringCrds(
  kc: KubeConfig,
  rest: KubeRest = createKubeRest(kc),
): Promise<string[]> {
  const missing: string[] = [];
  for (const name of MONITORING_CRDS) {
    try {
      await rest.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) missing.push(name);
      else throw new Error(`read CRD ${name}`, { cause: error });
    }
  }
  return missing;
}
