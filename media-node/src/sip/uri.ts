// SIP URIs (RFC 3261 §19.1): sip/sips parsed into parts, other schemes kept opaque.
import { type Params, formatParams, parseParamList } from './lex.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Params;
  /** Raw `?headers` part without the `?`, or undefined. */
  headers: string | undefined;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+\-.]*):/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)$/;
const USERINFO = /^[A-Za-z0-9\-_.!~*'()%&=+$,;?/:]+$/;

export function uriScheme(text: string): string | undefined {
  return SCHEME.exec(text)?.[1]?.toLowerCase();
}

/** Any absolute URI without whitespace or brackets (what a Request-URI must look like). */
export function isAbsoluteUri(text: string): boolean {
  return uriScheme(text) !== undefined && !/[\s<>"]/.test(text);
}

export function parseSipUri(text: string): SipUri | undefined {
  const scheme = uriScheme(text);
  if (scheme !== 'sip' && scheme !== 'sips') return undefined;
  if (/[\s<>"]/.test(text)) return undefined;
  let rest = text.slice(scheme.length + 1);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    if (user === '' || !USERINFO.test(user)) return undefined;
    rest = rest.slice(at + 1);
  }
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const [hostport = '', ...paramSegs] = rest.split(';');
  const params = parseParamList(paramSegs);
  if (!params) return undefined;
  let host = hostport;
  let port: number | undefined;
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(hostport);
  if (m && !hostport.endsWith(']')) {
    host = m[1] ?? '';
    if (m[2] !== undefined) port = Number(m[2]);
  }
  if (!HOST.test(host) || (port !== undefined && port > 65535)) return undefined;
  return { scheme, user, host: host.toLowerCase(), port, params, headers };
}

export function formatSipUri(uri: SipUri): string {
  const user = uri.user === undefined ? '' : `${uri.user}@`;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  const headers = uri.headers === undefined ? '' : `?${uri.headers}`;
  return `${uri.scheme}:${user}${uri.host}${port}${formatParams(uri.params)}${headers}`;
}

/** Host without IPv6 brackets, ready for a socket call. */
export function socketHost(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
