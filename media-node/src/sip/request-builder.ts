// Builds outgoing requests (RFC 3261 §8.1.1, §12.2.1.1) and resolves where they are sent.
import type { HeaderList } from './message.js';
import { serializeRequest } from './serializer.js';
import type { Target, TransportName } from './transport.js';
import { parseSipUri, socketHost } from './uri.js';
import { parseNameAddr } from './name-addr.js';

export interface RequestSpec {
  method: string;
  uri: string;
  via: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  /** Defaults to `method`. */
  cseqMethod?: string;
  contact?: string | undefined;
  routes?: readonly string[];
  maxForwards?: number;
  userAgent?: string | undefined;
  headers?: HeaderList | undefined;
  contentType?: string | undefined;
  body?: string | Buffer | undefined;
}

export function buildRequest(spec: RequestSpec): Buffer {
  const headers: HeaderList = [
    ['via', spec.via],
    ['max-forwards', String(spec.maxForwards ?? 70)],
  ];
  for (const r of spec.routes ?? []) headers.push(['route', r]);
  headers.push(
    ['from', spec.from],
    ['to', spec.to],
    ['call-id', spec.callId],
    ['cseq', `${spec.cseq} ${spec.cseqMethod ?? spec.method}`],
  );
  if (spec.contact !== undefined) headers.push(['contact', spec.contact]);
  if (spec.userAgent !== undefined) headers.push(['user-agent', spec.userAgent]);
  for (const [n, v] of spec.headers ?? []) headers.push([n.toLowerCase(), v]);
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
  if (body.length > 0 && spec.contentType !== undefined)
    headers.push(['content-type', spec.contentType]);
  return serializeRequest(spec.method, spec.uri, headers, body);
}

/**
 * The transport address a SIP URI designates: IP literal (or localhost) and port, transport from
 * its `transport` parameter. Names are not resolved: the node only talks to addresses it is given.
 */
export function targetOfUri(uri: string, fallback: TransportName = 'udp'): Target | undefined {
  const parsed = parseSipUri(uri) ?? parseSipUri(parseNameAddr(uri)?.uri ?? '');
  if (!parsed) return undefined;
  const maddr = parsed.params.get('maddr');
  let host = socketHost(typeof maddr === 'string' ? maddr : parsed.host);
  if (host === 'localhost') host = '127.0.0.1';
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
  if (!isIp) return undefined;
  const t = parsed.params.get('transport');
  const transport: TransportName =
    typeof t === 'string' ? (t.toLowerCase() === 'tcp' ? 'tcp' : 'udp') : fallback;
  return { address: host, port: parsed.port ?? 5060, transport };
}
