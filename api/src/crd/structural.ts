/**
 * Turns a TypeBox schema into a Kubernetes structural schema: string unions become `enum`,
 * records become `additionalProperties`, fields with defaults stop being `required` (the API
 * server fills them before validating), and JSON Schema keywords CRDs reject are dropped.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toStructural(schema: unknown): Json {
  return convert(JSON.parse(JSON.stringify(schema)) as Json);
}

function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const anyOf = node.anyOf;
  if (Array.isArray(anyOf) && anyOf.every((o) => isObj(o) && 'const' in o)) {
    const { anyOf: _a, ...rest } = node;
    const values = anyOf.map((o) => (o as { const: Json }).const);
    return ordered({
      ...rest,
      type: typeof values[0] === 'number' ? 'integer' : 'string',
      enum: values,
    });
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    if (k === '$id' || k === 'uniqueItems') continue;
    if (k === 'patternProperties' && isObj(v)) {
      const first = Object.values(v)[0];
      if (first !== undefined) out.additionalProperties = convert(first);
      continue;
    }
    if (k === 'properties' && isObj(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convert(s)]));
      continue;
    }
    out[k] = convert(v);
  }
  if (Array.isArray(out.required) && isObj(out.properties)) {
    const props = out.properties;
    const required = out.required.filter((r) => {
      const p = typeof r === 'string' ? props[r] : undefined;
      return !(isObj(p) && 'default' in p);
    });
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  return ordered(out);
}

/** `description` and `type` first, so the YAML reads like a hand-written CRD. */
function ordered(node: { [k: string]: Json }): Json {
  const { description, type, ...rest } = node;
  return {
    ...(description === undefined ? {} : { description }),
    ...(type === undefined ? {} : { type }),
    ...rest,
  };
}

function isObj(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
