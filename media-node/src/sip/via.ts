// Via header values (RFC 3261 §20.42) and where responses go (§18.2.2, RFC 3581 rport).
import { type Params, formatParams, parseParamList, splitOutside } from './lex.js';

export interface Via {
  transport: string;
  host: string;
  port: number | undefined;
  params: Params;
}

export const MAGIC_COOKIE = 'z9hG4bK';

const VIA = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([^;]+?)\s*(;.*)?$/s;
const SENT_BY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*(\d{1,5}))?$/;

export function parseVia(text: string): Via | undefined {
  const m = VIA.exec(text.trim());
  if (!m) return undefined;
  const sent = SENT_BY.exec(m[2] ?? '');
  if (!sent) return undefined;
  const port = sent[2] === undefined ? undefined : Number(sent[2]);
  if (port !== undefined && (port === 0 || port > 65535)) return undefined;
  let params: Params = new Map();
  if (m[3] !== undefined) {
    const segs = splitOutside(m[3].slice(1), ';');
    const parsed = segs && parseParamList(segs);
    if (!parsed) return undefined;
    params = parsed;
  }
  const branch = params.get('branch');
  if (branch === null || branch === MAGIC_COOKIE) return undefined;
  return {
    transport: (m[1] ?? '').toUpperCase(),
    host: (sent[1] ?? '').toLowerCase(),
    port,
    params,
  };
}

export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}

export function branchOf(via: Via | undefined): string | undefined {
  const b = via?.params.get('branch');
  return b === null ? undefined : b;
}

export interface Destination {
  address: string;
  port: number;
}

/**
 * Where a response to a request with top Via `via`, received from `source`, goes. The address is
 * always the packet's source (the `received` rule; never DNS, never a broadcast from a header).
 * The port is the source port with rport (or `forceRport`), else the sent-by port, else 5060.
 */
export function responseDestination(
  via: Via,
  source: Destination,
  forceRport = false,
): Destination {
  if (forceRport || via.params.has('rport')) return { ...source };
  return { address: source.address, port: via.port ?? 5060 };
}

/** The top Via as the UAS stamps it before answering: `received` and filled `rport` (RFC 3581). */
export function stampVia(via: Via, source: Destination): Via {
  const params = new Map(via.params);
  if (via.host !== source.address && via.host !== `[${source.address}]`) {
    params.set('received', source.address.includes(':') ? `[${source.address}]` : source.address);
  }
  if (params.has('rport')) params.set('rport', String(source.port));
  return { ...via, params };
}

/** Splits a Via header line into its values. */
export function splitVia(value: string): string[] | undefined {
  return splitOutside(value, ',');
}
