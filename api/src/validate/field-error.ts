/** A validation failure at a field, phrased like the API server's admission causes. */
export interface FieldError {
  /** Field path as the API server prints it, e.g. `spec.regions[0].minReplicas`. */
  readonly path: string;
  /** What is wrong, e.g. `Required value` or a CEL rule message. */
  readonly message: string;
}

/** `/spec/regions/0/name` -> `spec.regions[0].name`. */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]*)$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Formats a value the way Go's `%#v`-ish admission messages quote it. */
export function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
