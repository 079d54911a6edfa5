// name-addr / addr-spec header values (From, To, Contact, Route, Record-Route, Refer-To).
import {
  type Params,
  formatParams,
  isToken,
  parseParamList,
  readQuoted,
  splitOutside,
} from './lex.js';
import { isAbsoluteUri } from './uri.js';

export interface NameAddr {
  displayName: string | undefined;
  uri: string;
  /** Header parameters (after the URI), e.g. tag, expires, q. */
  params: Params;
}

export function tagOf(addr: NameAddr | undefined): string | undefined {
  const tag = addr?.params.get('tag');
  return tag === null ? undefined : tag;
}

/** Parses one name-addr or addr-spec value. Undefined when malformed. */
export function parseNameAddr(input: string): NameAddr | undefined {
  const text = input.trim();
  let displayName: string | undefined;
  let rest: string;
  if (text.startsWith('"')) {
    const q = readQuoted(text, 0);
    if (!q) return undefined;
    displayName = q.value;
    rest = text.slice(q.end).trimStart();
    if (!rest.startsWith('<')) return undefined;
  } else {
    const lt = text.indexOf('<');
    if (lt >= 0) {
      const dn = text.slice(0, lt).trim();
      if (dn !== '') {
        if (!dn.split(/[ \t]+/).every(isToken)) return undefined;
        displayName = dn;
      }
      rest = text.slice(lt);
    } else {
      rest = text;
    }
  }
  let uri: string;
  let paramText: string;
  if (rest.startsWith('<')) {
    const gt = rest.indexOf('>');
    if (gt < 0) return undefined;
    uri = rest.slice(1, gt);
    paramText = rest.slice(gt + 1).trim();
    if (paramText !== '' && !paramText.startsWith(';')) return undefined;
  } else {
    // addr-spec without brackets: parameters after the first ';' belong to the header.
    const semi = rest.indexOf(';');
    uri = (semi < 0 ? rest : rest.slice(0, semi)).trim();
    paramText = semi < 0 ? '' : rest.slice(semi);
    if (/[?,]/.test(uri)) return undefined;
  }
  if (!isAbsoluteUri(uri)) return undefined;
  let params: Params = new Map();
  if (paramText !== '') {
    const segs = splitOutside(paramText.slice(1), ';');
    const parsed = segs && parseParamList(segs);
    if (!parsed) return undefined;
    params = parsed;
  }
  return { displayName, uri, params };
}

export function formatNameAddr(addr: NameAddr): string {
  const dn =
    addr.displayName === undefined
      ? ''
      : `"${addr.displayName.replace(/["\\]/g, (c) => `\\${c}`)}" `;
  return `${dn}<${addr.uri}>${formatParams(addr.params)}`;
}
