/**
 * The media node's HTTP control server: health, readiness, status, drain, the NDJSON call-event
 * stream, and outbound calls (`POST /calls`, then `GET` or `DELETE /calls/{id}`). Prometheus
 * metrics have a listener of their own (metrics-server.ts), so a NetworkPolicy can admit
 * Prometheus to them and not to these.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallEvent, CallEventBus } from '../core/call-events.js';
import { CallRefused, type NodeStatus, type PlaceCallOptions } from '../core/media-node.js';
import type { OutboundCallView } from '../core/outbound-calls.js';
import type { Logger } from '../telemetry/log.js';

export interface OpsTarget {
  status(): NodeStatus;
  drain(): void;
  /** Places an outbound call through the edge; resolves with its id once the INVITE is sent. */
  placeCall(to: string, options: PlaceCallOptions): Promise<{ callId: string }>;
  /** An outbound call placed here, while the node keeps it. */
  outboundCall(callId: string): OutboundCallView | undefined;
  /** Cancels (before the answer) or hangs up an outbound call; undefined when unknown. */
  cancelCall(callId: string): Promise<OutboundCallView | undefined>;
  events: CallEventBus;
  /** `GET /debug/media`: pacing percentiles of the shared scheduler (`?reset=1` restarts them). */
  mediaStats?: (reset: boolean) => Promise<unknown>;
  log: Logger;
}

const MAX_BODY_BYTES = 16 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface PlaceCallBody {
  to: string;
  timeoutSeconds?: number;
}

/** `POST /calls` body: `{"to": "+14155550123", "timeoutSeconds": 30}` (E.164 or a sip: URI). */
export function parsePlaceCallBody(text: string): PlaceCallBody | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'body must be JSON: {"to": "+14155550123"}' };
  }
  if (typeof body !== 'object' || body === null || !('to' in body) || typeof body.to !== 'string') {
    return { error: 'body needs "to": an E.164 number or a sip: URI' };
  }
  const to = body.to.trim();
  if (!/^\+?[0-9]{2,15}$/.test(to) && !/^sips?:[^\s]+$/.test(to)) {
    return { error: '"to" must be an E.164 number (+14155550123) or a sip: URI' };
  }
  if (!('timeoutSeconds' in body) || body.timeoutSeconds === undefined) return { to };
  const timeout = body.timeoutSeconds;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 300) {
    return { error: '"timeoutSeconds" must be a whole number of seconds from 1 to 300' };
  }
  return { to, timeoutSeconds: timeout };
}

function streamEvents(target: OpsTarget, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const url = new URL(req.url ?? '/', 'http://node');
  const write = (event: CallEvent): void => {
    res.write(`${JSON.stringify(event)}\n`);
  };
  if (url.searchParams.get('backlog') !== '0') for (const e of target.events.recent()) write(e);
  target.events.on('event', write);
  const stop = (): void => {
    target.events.off('event', write);
  };
  req.on('close', stop);
  res.on('error', stop);
}

/** `GET /status?watch=1`: how often an unchanged status is compared, and sent anyway. */
export const STATUS_CHECK_MS = 1000;
export const STATUS_HEARTBEAT_MS = 15_000;

/**
 * The operator's load signal: the status now, then a line each time it changes (at once when a
 * call starts or ends; within a second for anything else, such as a drain starting), and the
 * same line again every STATUS_HEARTBEAT_MS so the reader can tell a silent connection from a
 * quiet node.
 */
function watchStatus(target: OpsTarget, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  let last = '';
  let lastWriteAt = 0;
  let pending = false;
  const send = (force: boolean): void => {
    const line = JSON.stringify(target.status());
    if (!force && line === last) return;
    last = line;
    lastWriteAt = Date.now();
    res.write(`${line}\n`);
  };
  const onEvent = (event: CallEvent): void => {
    if (pending || (event.type !== 'call.started' && event.type !== 'call.ended')) return;
    pending = true;
    // After the event's own handlers: the call is in (or out of) the count by then.
    setImmediate(() => {
      pending = false;
      send(false);
    });
  };
  const timer = setInterval(
    () => send(Date.now() - lastWriteAt >= STATUS_HEARTBEAT_MS),
    STATUS_CHECK_MS,
  );
  send(true);
  target.events.on('event', onEvent);
  const stop = (): void => {
    clearInterval(timer);
    target.events.off('event', onEvent);
  };
  req.on('close', stop);
  res.on('error', stop);
}

async function handle(target: OpsTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://node').pathname;
  const route = `${req.method ?? 'GET'} ${path}`;
  const call = /^\/calls\/([^/]+)$/.exec(path);
  if (call) {
    const callId = decodeURIComponent(call[1] ?? '');
    if (req.method !== 'GET' && req.method !== 'DELETE') {
      res.setHeader('allow', 'GET, DELETE');
      sendJson(res, 405, { error: 'GET or DELETE' });
      return;
    }
    const view =
      req.method === 'GET' ? target.outboundCall(callId) : await target.cancelCall(callId);
    if (view) sendJson(res, req.method === 'GET' ? 200 : 202, view);
    else sendJson(res, 404, { error: `no outbound call ${callId} on this node` });
    return;
  }
  switch (route) {
    case 'GET /healthz':
      sendJson(res, 200, { ok: true });
      return;
    case 'GET /readyz': {
      const status = target.status();
      sendJson(res, status.draining ? 503 : 200, { ready: !status.draining });
      return;
    }
    case 'GET /status':
      if (new URL(req.url ?? '/', 'http://node').searchParams.get('watch') === '1') {
        watchStatus(target, req, res);
      } else sendJson(res, 200, target.status());
      return;
    case 'POST /drain':
      target.drain();
      sendJson(res, 202, target.status());
      return;
    case 'GET /debug/media': {
      const reset = new URL(req.url ?? '/', 'http://node').searchParams.get('reset') === '1';
      if (target.mediaStats) sendJson(res, 200, await target.mediaStats(reset));
      else sendJson(res, 404, { error: 'not available' });
      return;
    }
    case 'GET /events':
      streamEvents(target, req, res);
      return;
    case 'POST /calls': {
      const parsed = parsePlaceCallBody(await readBody(req));
      if ('error' in parsed) {
        sendJson(res, 400, { error: parsed.error });
        return;
      }
      try {
        const { callId } = await target.placeCall(
          parsed.to,
          parsed.timeoutSeconds === undefined ? {} : { timeoutSeconds: parsed.timeoutSeconds },
        );
        res.setHeader('location', `/calls/${encodeURIComponent(callId)}`);
        sendJson(res, 202, target.outboundCall(callId) ?? { callId });
      } catch (error) {
        if (!(error instanceof CallRefused)) throw error;
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        sendJson(res, 503, { error: error.message });
      }
      return;
    }
    default:
      sendJson(res, 404, { error: 'not found' });
  }
}

export async function startOpsServer(
  target: OpsTarget,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((req, res) => {
    handle(target, req, res).catch((error: unknown) => {
      target.log.warn('http request failed', { error, path: req.url });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  return listen(server, host, port);
}

/** Resolves with the server once it listens on host:port (port 0: a free one). */
export async function listen(server: Server, host: string, port: number): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
