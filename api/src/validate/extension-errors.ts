/**
 * What the API server checks beyond JSON Schema: `x-kubernetes-list-type` uniqueness and the CEL
 * `x-kubernetes-validations` rules (through their TypeScript twins).
 */
import { celCheck, type CelRule } from '../schema/cel.js';
import { quote, type FieldError } from './field-error.js';

type Node = Record<string, unknown>;

export function extensionErrors(
  schema: unknown,
  value: unknown,
  path: string,
  withCel: boolean,
): FieldError[] {
  const out: FieldError[] = [];
  walk(schema as Node, value, path, withCel, out);
  return out;
}

function walk(s: Node, value: unknown, path: string, withCel: boolean, out: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    duplicates(s, value, path, out);
    const items = s.items as Node | undefined;
    if (items) value.forEach((v, i) => walk(items, v, `${path}[${i}]`, withCel, out));
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Node>;
    for (const [k, sub] of Object.entries(props)) walk(sub, obj[k], join(path, k), withCel, out);
    const pattern = Object.values((s.patternProperties ?? {}) as Record<string, Node>)[0];
    if (pattern)
      for (const [k, v] of Object.entries(obj)) walk(pattern, v, join(path, k), withCel, out);
  }
  if (withCel) rules(s, value, path, out);
}

function rules(s: Node, value: unknown, path: string, out: FieldError[]): void {
  const list = s['x-kubernetes-validations'] as CelRule[] | undefined;
  for (const r of list ?? []) {
    const check = celCheck(r.rule);
    if (!check) throw new Error(`CEL rule without a TypeScript twin: ${r.rule}`);
    let ok: boolean;
    try {
      ok = check(value);
    } catch {
      continue;
    }
    if (!ok) {
      // Like the API server: scalar values are shown, objects and lists are not.
      const shown = typeof value === 'object' ? '' : `${JSON.stringify(value)}: `;
      out.push({
        path: (path + (r.fieldPath ?? '')).replace(/^\./, ''),
        message: `Invalid value: ${shown}${r.message}`,
      });
    }
  }
}

function duplicates(s: Node, list: unknown[], path: string, out: FieldError[]): void {
  const kind = s['x-kubernetes-list-type'];
  if (kind !== 'set' && kind !== 'map') return;
  const keys = (s['x-kubernetes-list-map-keys'] ?? []) as string[];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const key = kind === 'set' ? JSON.stringify(item) : mapKey(item, keys);
    if (key === undefined) return;
    if (seen.has(key)) {
      const shown = kind === 'set' ? quote(item) : key;
      out.push({ path: `${path}[${i}]`, message: `Duplicate value: ${shown}` });
    }
    seen.add(key);
  });
}

function mapKey(item: unknown, keys: string[]): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const o = item as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, o[k]])));
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
