// Pure comparison behind "skip the write when nothing changed": does the live object already
// hold every field the desired object sets? Fields the API server adds (defaults, status,
// metadata it manages) are ignored; arrays must match element by element.
import { createHash } from 'node:crypto';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True when every field set in `desired` has the same value in `live`. */
export function containsDesired(desired: unknown, live: unknown): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => containsDesired(d, live[i]));
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) =>
      containsDesired(v, l[k]),
    );
  }
  return desired === live;
}

/** Stable hash of a JSON value (object keys sorted), short enough for an annotation. */
export function stableHash(value: unknown): string {
  return createHash('sha256')
    .update(stableStringify(value as Json))
    .digest('hex')
    .slice(0, 16);
}

export function stableStringify(value: Json | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
}
