// The Prometheus operator's PodMonitor and PrometheusRule CRDs, as it publishes them for
// `kubectl apply` (scripts/ensure-monitoring-crds.sh fetches them at a pinned version), installed
// on a harness API server the way test/harness/crds.ts installs ours.
import type { KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { installCrds } from './crds.js';

const script = new URL('../../scripts/ensure-monitoring-crds.sh', import.meta.url).pathname;

export const MONITORING_CRD_FILES = [
  'monitoring.coreos.com_podmonitors.yaml',
  'monitoring.coreos.com_prometheusrules.yaml',
] as const;

/** The directory of the CRDs' YAML (fetched on first use). */
export function monitoringCrdDir(): string {
  const out = execFileSync('bash', [script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1) ?? '';
}

export async function installMonitoringCrds(kc: KubeConfig): Promise<void> {
  await installCrds(kc, monitoringCrdDir(), MONITORING_CRD_FILES);
}
