// Shared set-up of the operator integration suites: CRDs from crds/ (installed as kubectl would,
// test/harness/crds.ts), the operator as a child process against the harness kubeconfig, and
// small builders for VoiceAgents and SipTrunks.
import { voiceAgentManifest } from '@voicefleet/api/testing';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import {
  freePort,
  spawnProcess,
  waitForLogLine,
  type ManagedProcess,
} from '@voicefleet/devtools/processes';
import { Manager, type ManagerEdgeOptions } from '../operator/src/manager/manager.js';
import { createLogger } from '../operator/src/runtime/log.js';
import { createOperatorMetrics } from '../operator/src/runtime/metrics.js';

export { installCrds } from './harness/crds.js';

const root = new URL('..', import.meta.url).pathname;

export interface InProcessManager {
  manager: Manager;
  /** Aborts the manager and resolves once its informers, workers and edge sync stopped. */
  stop(): Promise<void>;
}

/**
 * The operator's manager in this process, leading at once (no Lease): its informers, both
 * controllers, the media pods' load tracker and, with `edge`, the edge sync. For suites that hand
 * the edge sync what only a test has (a loopback address map), or that read the manager itself.
 */
export function runManager(
  kc: KubeConfig,
  o: { regions: string[]; edge?: ManagerEdgeOptions; namespace?: string },
): InProcessManager {
  const controller = new AbortController();
  setMaxListeners(64, controller.signal);
  const manager = new Manager({
    kc,
    log: createLogger({ component: 'operator' }, 'warn'),
    metrics: createOperatorMetrics({ defaultMetrics: false }),
    namespace: o.namespace,
    ownedRegions: o.regions,
    childOptions: {
      image: 'media-node:test',
      multiRegionCluster: false,
      edgeUri: 'sip:127.0.0.1:5060',
    },
    workers: 2,
    ...(o.edge !== undefined ? { edge: o.edge } : {}),
  });
  const running = Promise.all([
    manager.runInformers(controller.signal),
    manager.lead(controller.signal),
  ]);
  running.catch(() => undefined);
  return {
    manager,
    stop: async () => {
      controller.abort();
      await running.catch((error: unknown) => {
        if (!controller.signal.aborted) throw error;
      });
    },
  };
}

export interface OperatorProcess {
  proc: ManagedProcess;
  metricsPort: number;
  /** Value of a counter/gauge sample from /metrics (sum over matching label sets). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export async function startOperator(
  kubeconfigPath: string,
  logDir: string,
  args: readonly string[],
  name = 'operator',
  /** Node arguments before the operator's flags (default: run the TypeScript entry through tsx). */
  entry: readonly string[] = ['--import', 'tsx', join(root, 'operator/src/main.ts')],
  /** Its environment (default: this process's). */
  env: NodeJS.ProcessEnv = process.env,
): Promise<OperatorProcess> {
  const metricsPort = await freePort();
  const proc = spawnProcess({
    name,
    command: process.execPath,
    args: [
      ...entry,
      '--kubeconfig',
      kubeconfigPath,
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      String(metricsPort),
      ...args,
    ],
    logPath: join(logDir, `${name}.log`),
    cwd: root,
    env,
  });
  await waitForLogLine(proc, /"msg":"operator started"/, { timeoutMs: 60_000 });
  return {
    proc,
    metricsPort,
    metric: async (metricName, labels = {}) => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(metricName)) continue;
        const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
        if (m === null || m[1] !== metricName) continue;
        const ls = m[2] ?? '';
        if (Object.entries(labels).every(([k, v]) => ls.includes(`${k}="${v}"`)))
          sum += Number(m[3]);
      }
      return sum;
    },
  };
}

export function agentManifest(
  name: string,
  numbers: string[],
  opts: { regions?: string[]; minReplicas?: number; bufferCalls?: number; namespace?: string } = {},
): KubernetesObject & { spec: Record<string, unknown> } {
  return voiceAgentManifest(name, {
    numbers,
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.regions !== undefined ? { regions: opts.regions } : {}),
    ...(opts.minReplicas !== undefined ? { minReplicas: opts.minReplicas } : {}),
    ...(opts.bufferCalls !== undefined ? { bufferCalls: opts.bufferCalls } : {}),
    maxReplicas: 5,
    spec: { drainTimeoutSeconds: 120 },
  });
}

export interface CustomStatusObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    regions?: { name: string; desiredReplicas: number; readyReplicas: number }[];
    gateways?: { name: string; state: string }[];
  };
}

export function customObjects(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: 'voicefleet.io', version: 'v1alpha1' };
  return {
    get: async (plural: string, name: string, namespace = 'default') =>
      (await api.getNamespacedCustomObject({
        ...base,
        plural,
        namespace,
        name,
      })) as CustomStatusObject,
    create: async (plural: string, body: KubernetesObject, namespace = 'default') =>
      (await api.createNamespacedCustomObject({
        ...base,
        plural,
        namespace,
        body,
      })) as CustomStatusObject,
    delete: async (plural: string, name: string, namespace = 'default'): Promise<void> => {
      await api.deleteNamespacedCustomObject({ ...base, plural, namespace, name });
    },
    /**
     * A JSON merge patch, as `kubectl patch --type merge` sends it: no resourceVersion, so it
     * never conflicts with the operator's status writes the way a get-then-replace does.
     */
    patch: async (plural: string, name: string, body: object, namespace = 'default') =>
      (await api.patchNamespacedCustomObject(
        { ...base, plural, namespace, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as CustomStatusObject,
  };
}

export function condition(obj: CustomStatusObject | undefined, type: string) {
  return obj?.status?.conditions?.find((c) => c.type === type);
}
