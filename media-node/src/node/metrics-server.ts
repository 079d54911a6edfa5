/**
 * The media node's metrics listener: `GET /metrics` (Prometheus text) and nothing else, on a port
 * of its own. Prometheus is admitted to this port alone; the control port (http-server.ts) that
 * drains the node and places calls stays the operator's.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/log.js';
import { listen, sendJson } from './http-server.js';

export interface MetricsSource {
  registry: Registry;
  /** Metrics kept off the event loop (the RTP thread's), appended to the registry's. */
  moreMetrics?: () => Promise<string>;
  log: Logger;
}

async function exposition(source: MetricsSource): Promise<string> {
  const own = await source.registry.metrics();
  return source.moreMetrics ? `${own.trimEnd()}\n${await source.moreMetrics()}` : own;
}

export async function startMetricsServer(
  source: MetricsSource,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://node').pathname;
    if (path !== '/metrics') {
      sendJson(res, 404, { error: 'not found: this port serves GET /metrics only' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    exposition(source).then(
      (text) => {
        res.writeHead(200, { 'content-type': source.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        source.log.warn('metrics request failed', { error });
        sendJson(res, 500, { error: 'internal error' });
      },
    );
  });
  return listen(server, host, port);
}
