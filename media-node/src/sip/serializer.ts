// Serializes messages to wire bytes and builds responses to requests (RFC 3261 §8.2.6).
import { displayHeaderName } from './header-names.js';
import { type HeaderList, type ValidRequest } from './message.js';
import { formatNameAddr } from './name-addr.js';
import type { ReplyHeaders } from './parse-result.js';
import { reasonPhrase } from './reasons.js';
import { type Destination, formatVia, stampVia } from './via.js';

export interface OutgoingResponse {
  status: number;
  reason: string;
  headers: HeaderList;
  body: Buffer;
}

/**
 * A message's bytes in a buffer of their own: its transaction keeps them for retransmission (up to
 * 32 s on UDP), and a slice of Node's shared 8 KB buffer pool would keep the whole slab that long.
 */
function serialize(startLine: string, headers: HeaderList, body: Buffer): Buffer {
  let head = startLine + '\r\n';
  for (const [name, value] of headers) {
    if (name === 'content-length') continue;
    head += `${displayHeaderName(name)}: ${value}\r\n`;
  }
  head += `Content-Length: ${body.length}\r\n\r\n`;
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafeSlow(headBytes + body.length);
  out.write(head, 0, 'utf8');
  body.copy(out, headBytes);
  return out;
}

export function serializeRequest(
  method: string,
  uri: string,
  headers: HeaderList,
  body: Buffer,
): Buffer {
  return serialize(`${method} ${uri} SIP/2.0`, headers, body);
}

export function serializeResponse(res: OutgoingResponse): Buffer {
  return serialize(`SIP/2.0 ${res.status} ${res.reason}`, res.headers, res.body);
}

export interface ResponseOptions {
  reason?: string | undefined;
  headers?: HeaderList | undefined;
  body?: Buffer | undefined;
  /** To tag added when the request's To has none (not for 100 Trying). */
  toTag?: string | undefined;
}

/** A response to `req`: Via (top stamped with received/rport), From, To(+tag), Call-ID, CSeq. */
export function buildResponse(
  req: ValidRequest,
  source: Destination,
  status: number,
  options: ResponseOptions = {},
): OutgoingResponse {
  const headers: HeaderList = [];
  req.via.forEach((v, i) => headers.push(['via', formatVia(i === 0 ? stampVia(v, source) : v)]));
  let to = req.headers.find(([n]) => n === 'to')?.[1] ?? formatNameAddr(req.to);
  if (status > 100 && options.toTag !== undefined && !req.to.params.has('tag')) {
    to = formatNameAddr({ ...req.to, params: new Map([...req.to.params, ['tag', options.toTag]]) });
  }
  headers.push(
    ['from', req.headers.find(([n]) => n === 'from')?.[1] ?? formatNameAddr(req.from)],
    ['to', to],
    ['call-id', req.callId],
    ['cseq', `${req.cseq.seq} ${req.cseq.method}`],
  );
  if (options.headers) headers.push(...options.headers);
  return {
    status,
    reason: options.reason ?? reasonPhrase(status),
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}

/** A stateless error response to a request that failed to parse, from its raw headers. */
export function buildErrorResponse(
  reply: ReplyHeaders,
  status: number,
  reason: string,
): OutgoingResponse {
  const headers: HeaderList = reply.via.map((v) => ['via', v]);
  if (reply.from !== undefined) headers.push(['from', reply.from]);
  if (reply.to !== undefined) headers.push(['to', reply.to]);
  if (reply.callId !== undefined) headers.push(['call-id', reply.callId]);
  if (reply.cseq !== undefined) headers.push(['cseq', reply.cseq]);
  return { status, reason, headers, body: Buffer.alloc(0) };
}
