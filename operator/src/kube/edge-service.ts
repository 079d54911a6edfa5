// The edge's internal Service -> `sip:<cluster IP>:<port>`: where media nodes send their outbound
// calls. A media node takes no host name (a bare cluster has no DNS), and a Service's cluster IP is
// fixed for the Service's life, so the operator reads it once and writes it into every media
// node's config.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../runtime/log.js';

export interface EdgeServiceRef {
  namespace: string;
  name: string;
  port: number;
}

/** `sip:10.96.0.12:5070`, `sip:[fd00::12]:5070`. */
export function edgeUriFor(clusterIp: string, port: number): string {
  return `sip:${clusterIp.includes(':') ? `[${clusterIp}]` : clusterIp}:${port}`;
}

/** Reads the Service until it exists with a cluster IP; retries every `retryMs` meanwhile. */
export async function resolveEdgeService(
  kc: KubeConfig,
  ref: EdgeServiceRef,
  { log, signal, retryMs = 2_000 }: { log: Logger; signal: AbortSignal; retryMs?: number },
): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  for (;;) {
    signal.throwIfAborted();
    let problem: string;
    try {
      const svc = await core.readNamespacedService({ namespace: ref.namespace, name: ref.name });
      const ip = svc.spec?.clusterIP;
      if (ip !== undefined && ip !== '' && ip !== 'None') return edgeUriFor(ip, ref.port);
      problem = 'it has no cluster IP (a headless Service cannot be used)';
    } catch (err) {
      problem = (err as Error).message;
    }
    log.warn('waiting for the edge Service media nodes send outbound calls to', {
      service: `${ref.namespace}/${ref.name}`,
      problem,
    });
    await sleep(retryMs, undefined, { signal });
  }
}
