// Lexical helpers shared by the header parsers: tokens, quoted strings, separators, parameters.

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** Parameter values: token, host (incl. IPv6 brackets, colons) or a quoted string. */
const PARAM_VALUE = /^(?:[A-Za-z0-9\-.!%*_+`'~[\]:/&$=]+|"(?:[^"\\]|\\.)*")$/s;

export type Params = Map<string, string | null>;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * Splits `text` on `sep` outside quoted strings and <...>. Returns undefined when a quote or
 * bracket is left open.
 */
export function splitOutside(text: string, sep: string): string[] | undefined {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === '<') {
      if (inAngle) return undefined;
      inAngle = true;
    } else if (c === '>') inAngle = false;
    else if (c === sep && !inAngle) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (inQuote || inAngle) return undefined;
  out.push(text.slice(start));
  return out;
}

/** Parses `;a=b;c` segments (the text after the first `;`, already split). Undefined if invalid. */
export function parseParamList(segments: string[]): Params | undefined {
  const params: Params = new Map();
  for (const raw of segments) {
    const seg = raw.trim();
    if (seg === '') return undefined;
    const eq = seg.indexOf('=');
    const name = (eq < 0 ? seg : seg.slice(0, eq)).trim().toLowerCase();
    if (!isToken(name)) return undefined;
    if (eq < 0) {
      params.set(name, null);
      continue;
    }
    const value = seg.slice(eq + 1).trim();
    if (!PARAM_VALUE.test(value)) return undefined;
    params.set(name, value);
  }
  return params;
}

/** Reads a quoted string starting at `text[start] === '"'`; returns its content and end index. */
export function readQuoted(
  text: string,
  start: number,
): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined || next === '\r' || next === '\n') return undefined;
      value += next;
      i++;
    } else if (c === '"') return { value, end: i + 1 };
    else value += c;
  }
  return undefined;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Collapses LWS runs into one space and trims (for header values after unfolding). */
export function normalizeLws(text: string): string {
  return text.replace(/[ \t]+/g, ' ').trim();
}
