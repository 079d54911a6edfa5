// A small Kubernetes REST client for the operator's writes: one keep-alive HTTPS agent for the
// process (client-node opens a new TLS connection per request, which costs the API server and
// us a handshake each time), credentials and headers taken from the KubeConfig per request.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  API_VERSION,
  SIP_TRUNK_KIND,
  SIP_TRUNK_PLURAL,
  VOICE_AGENT_KIND,
  VOICE_AGENT_PLURAL,
} from '@voicefleet/api';
import { Agent, request, type RequestOptions } from 'node:https';

export class KubeApiError extends Error {
  override name = 'KubeApiError';
  constructor(
    message: string,
    readonly statusCode: number,
    readonly reason: string,
    /** The API server's own message (its Status), without the request line. */
    readonly serverMessage = '',
  ) {
    super(message);
  }
}

export interface KubeRest {
  request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<unknown>;
}

/** Resource paths of the kinds the operator writes: group/version and plural by kind. */
export const KIND_RESOURCES: Record<string, { apiVersion: string; plural: string }> = {
  ConfigMap: { apiVersion: 'v1', plural: 'configmaps' },
  Service: { apiVersion: 'v1', plural: 'services' },
  Secret: { apiVersion: 'v1', plural: 'secrets' },
  Event: { apiVersion: 'v1', plural: 'events' },
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments' },
  PodDisruptionBudget: { apiVersion: 'policy/v1', plural: 'poddisruptionbudgets' },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies' },
  Lease: { apiVersion: 'coordination.k8s.io/v1', plural: 'leases' },
  PodMonitor: { apiVersion: 'monitoring.coreos.com/v1', plural: 'podmonitors' },
  PrometheusRule: { apiVersion: 'monitoring.coreos.com/v1', plural: 'prometheusrules' },
  [VOICE_AGENT_KIND]: { apiVersion: API_VERSION, plural: VOICE_AGENT_PLURAL },
  [SIP_TRUNK_KIND]: { apiVersion: API_VERSION, plural: SIP_TRUNK_PLURAL },
};

export function namespacedPath(
  apiVersion: string,
  plural: string,
  namespace: string,
  name?: string,
): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}${tail}`;
}

export function createKubeRest(kc: KubeConfig, timeoutMs = 30_000): KubeRest {
  let agent: Agent | undefined;
  return {
    async request(method, path, body, contentType = 'application/json') {
      const server = kc.getCurrentCluster()?.server;
      if (server === undefined) throw new Error('kubeconfig has no current cluster');
      const opts: RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      agent ??= new Agent({
        keepAlive: true,
        maxSockets: 16,
        ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
        ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
        ...(opts.key !== undefined ? { key: opts.key } : {}),
        ...(opts.rejectUnauthorized !== undefined
          ? { rejectUnauthorized: opts.rejectUnauthorized }
          : {}),
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
      });
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = {
        ...(opts.headers as Record<string, string>),
        accept: 'application/json',
        'user-agent': 'voicefleet-operator',
      };
      if (payload !== undefined) headers['content-type'] = contentType;
      const url = new URL(server + path);
      return new Promise((resolve, reject) => {
        const req = request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            if (status >= 200 && status < 300) return resolve(parsed);
            // The API server's Status message, never a request body (which may hold secret data).
            const st = parsed as { message?: string; reason?: string } | undefined;
            reject(
              new KubeApiError(
                `${method} ${url.pathname}: HTTP ${status}: ${st?.message ?? ''}`.slice(0, 500),
                status,
                st?.reason ?? '',
                st?.message ?? '',
              ),
            );
          });
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    },
  };
}
