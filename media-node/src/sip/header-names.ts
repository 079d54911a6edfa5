// Canonical header names: compact forms (RFC 3261 §7.3.3 and extensions) and display casing.

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  u: 'allow-events',
  x: 'session-expires',
};

/** Headers whose values are comma-separated lists that we split into one entry per value. */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'route',
  'record-route',
  'contact',
]);

/** Headers that may appear at most once. */
export const SINGLE_HEADERS: readonly string[] = ['call-id', 'from', 'to', 'cseq', 'max-forwards'];

export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

const DISPLAY: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
};

/** `content-length` -> `Content-Length`. */
export function displayHeaderName(name: string): string {
  return (
    DISPLAY[name] ??
    name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())
  );
}
