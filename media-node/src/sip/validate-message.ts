// Checks a tokenized message against RFC 3261's rules and builds the typed message.
import { SINGLE_HEADERS } from './header-names.js';
import { isToken } from './lex.js';
import { type CSeq, type HeaderList, headerValue, headerValues } from './message.js';
import { parseNameAddr } from './name-addr.js';
import type { ParseErrorCode, ParseFailure, ParseResult, ReplyHeaders } from './parse-result.js';
import { isAbsoluteUri, parseSipUri, uriScheme } from './uri.js';
import { type Via, parseVia } from './via.js';

export interface Tokenized {
  startLine: string;
  headers: HeaderList;
  badLines: string[];
  input: Buffer;
  bodyStart: number;
  headerComplete: boolean;
  stream: boolean;
  maxBody: number;
}

const REQUEST_VERSION = /^SIP\/(\d+)\.(\d+)$/i;
const RESPONSE_LINE = /^SIP\/(\d+)\.(\d+) (\d{3}) (.*)$/is;
const CSEQ = /^(\d{1,10})\s+(\S+)$/;
const MAX_U32 = 4_294_967_295;

function failure(
  code: ParseErrorCode,
  detail: string,
  reply: ReplyHeaders | undefined,
  status = 400,
): ParseFailure {
  return { ok: false, code, detail, status, reply };
}

export function parseCSeq(text: string): CSeq | undefined {
  const m = CSEQ.exec(text);
  if (!m) return undefined;
  const seq = Number(m[1]);
  const method = m[2] ?? '';
  if (seq > MAX_U32 || !isToken(method)) return undefined;
  return { seq, method };
}

function replyHeaders(headers: HeaderList): ReplyHeaders {
  return {
    via: headerValues(headers, 'via'),
    from: headerValue(headers, 'from'),
    to: headerValue(headers, 'to'),
    callId: headerValue(headers, 'call-id'),
    cseq: headerValue(headers, 'cseq'),
  };
}

export function validateMessage(t: Tokenized): ParseResult {
  const { headers } = t;
  const isResponse = t.startLine.startsWith('SIP/');
  const reply =
    !isResponse && headerValues(headers, 'via').length > 0 ? replyHeaders(headers) : undefined;

  let method = '';
  let uri = '';
  let status = 0;
  let reason = '';
  if (isResponse) {
    const m = RESPONSE_LINE.exec(t.startLine);
    if (!m) return failure('bad-start-line', 'malformed status line', reply);
    if (m[1] !== '2' || m[2] !== '0')
      return failure('bad-version', 'unsupported SIP version', reply, 505);
    status = Number(m[3]);
    reason = m[4] ?? '';
    if (status < 100 || status > 699)
      return failure('bad-start-line', 'status code out of range', reply);
  } else {
    const parts = t.startLine.split(' ');
    if (parts.length !== 3)
      return failure('bad-start-line', 'request line must have three parts', reply);
    [method = '', uri = ''] = parts;
    const version = REQUEST_VERSION.exec(parts[2] ?? '');
    if (!isToken(method)) return failure('bad-start-line', 'malformed method', reply);
    if (!version) return failure('bad-start-line', 'malformed SIP version', reply);
    if (version[1] !== '2' || version[2] !== '0')
      return failure('bad-version', 'unsupported SIP version', reply, 505);
    if (!isAbsoluteUri(uri)) return failure('bad-request-uri', 'malformed Request-URI', reply);
    const scheme = uriScheme(uri);
    if (scheme === 'sip' || scheme === 'sips') {
      const sip = parseSipUri(uri);
      if (!sip) return failure('bad-request-uri', 'malformed SIP Request-URI', reply);
      if (sip.headers !== undefined)
        return failure('bad-request-uri', 'headers in Request-URI', reply);
    }
  }
  if (t.badLines.length > 0) return failure('bad-header-line', 'malformed header line', reply);

  for (const name of SINGLE_HEADERS) {
    if (headerValues(headers, name).length > 1)
      return failure('duplicate-header', `duplicate ${name}`, reply);
  }
  const via: Via[] = [];
  for (const v of headerValues(headers, 'via')) {
    const parsed = parseVia(v);
    if (!parsed) return failure('bad-header-value', 'malformed Via', reply);
    via.push(parsed);
  }
  if (via.length === 0) return failure('missing-header', 'missing Via', reply);
  const fromText = headerValue(headers, 'from');
  const toText = headerValue(headers, 'to');
  const callId = headerValue(headers, 'call-id');
  const cseqText = headerValue(headers, 'cseq');
  if (
    fromText === undefined ||
    toText === undefined ||
    callId === undefined ||
    cseqText === undefined
  ) {
    return failure('missing-header', 'missing From, To, Call-ID or CSeq', reply);
  }
  if (callId === '' || /\s/.test(callId))
    return failure('bad-header-value', 'malformed Call-ID', reply);
  const from = parseNameAddr(fromText);
  const to = parseNameAddr(toText);
  if (!from) return failure('bad-header-value', 'malformed From', reply);
  if (!to) return failure('bad-header-value', 'malformed To', reply);
  const cseq = parseCSeq(cseqText);
  if (!cseq) return failure('bad-header-value', 'malformed CSeq', reply);
  if (!isResponse && cseq.method !== method)
    return failure('method-mismatch', 'CSeq method differs', reply);
  const addrError = checkAddressLists(headers);
  if (addrError) return failure('bad-header-value', addrError, reply);
  const scalarError = checkScalars(headers);
  if (scalarError) return failure('bad-header-value', scalarError, reply);

  const lengths = headerValues(headers, 'content-length');
  let bodyEnd = t.input.length;
  if (lengths.length > 0) {
    if (!lengths.every((l) => /^\d{1,10}$/.test(l)))
      return failure('bad-content-length', 'bad Content-Length', reply);
    const n = Number(lengths[0]);
    if (!lengths.every((l) => Number(l) === n))
      return failure('bad-content-length', 'conflicting Content-Length', reply);
    if (n > t.maxBody) return failure('bad-content-length', 'Content-Length too large', reply);
    if (t.bodyStart + n > t.input.length)
      return failure('truncated-body', 'body shorter than Content-Length', reply);
    bodyEnd = t.bodyStart + n;
  } else if (t.stream) {
    bodyEnd = t.bodyStart;
  }
  if (!t.headerComplete && bodyEnd > t.bodyStart)
    return failure('truncated-body', 'no end of headers', reply);
  const base = {
    headers,
    body: t.input.subarray(t.bodyStart, bodyEnd),
    via,
    from,
    to,
    callId,
    cseq,
  };
  const message = isResponse
    ? { kind: 'response' as const, status, reason, ...base }
    : { kind: 'request' as const, method, uri, ...base };
  return { ok: true, message, length: bodyEnd };
}

function checkAddressLists(headers: HeaderList): string | undefined {
  for (const [name, value] of headers) {
    if (name === 'contact') {
      if (value === '*') continue;
      if (!parseNameAddr(value)) return 'malformed Contact';
    } else if (name === 'route' || name === 'record-route') {
      if (!parseNameAddr(value)) return `malformed ${name}`;
    }
  }
  return undefined;
}

function checkScalars(headers: HeaderList): string | undefined {
  const mf = headerValue(headers, 'max-forwards');
  if (mf !== undefined && (!/^\d{1,10}$/.test(mf) || Number(mf) > 255)) return 'bad Max-Forwards';
  for (const exp of headerValues(headers, 'expires')) {
    if (/^\d+$/.test(exp) && (exp.length > 10 || Number(exp) > MAX_U32)) return 'bad Expires';
  }
  return undefined;
}
