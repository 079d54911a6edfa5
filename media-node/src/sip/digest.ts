// HTTP Digest answers to 401/407 challenges (RFC 2617 / RFC 3261 §22), MD5 with or without qop=auth.
import { createHash, randomBytes } from 'node:crypto';
import { splitOutside } from './lex.js';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  algorithm: string;
  qop: string[];
}

export interface Credentials {
  username: string;
  password: string;
}

export function parseChallenge(header: string): DigestChallenge | undefined {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const part of splitOutside(m[1] ?? '', ',') ?? []) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const value = part.slice(eq + 1).trim();
    fields.set(
      part.slice(0, eq).trim().toLowerCase(),
      value.startsWith('"') ? value.slice(1, -1) : value,
    );
  }
  const realm = fields.get('realm');
  const nonce = fields.get('nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const algorithm = fields.get('algorithm') ?? 'MD5';
  if (algorithm.toUpperCase() !== 'MD5') return undefined;
  return {
    realm,
    nonce,
    opaque: fields.get('opaque'),
    algorithm,
    qop: (fields.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim())
      .filter(Boolean),
  };
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The Authorization / Proxy-Authorization value answering `challenge` for `method uri`. */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: Credentials,
  method: string,
  uri: string,
  cnonce: string = randomBytes(8).toString('hex'),
  nc = 1,
): string {
  const ha1 = md5(`${credentials.username}:${challenge.realm}:${credentials.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const useQop = challenge.qop.includes('auth');
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = useQop
    ? md5(`${ha1}:${challenge.nonce}:${ncHex}:${cnonce}:auth:${ha2}`)
    : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  let out =
    `Digest username="${credentials.username}", realm="${challenge.realm}", nonce="${challenge.nonce}", ` +
    `uri="${uri}", response="${response}", algorithm=MD5`;
  if (useQop) out += `, qop=auth, nc=${ncHex}, cnonce="${cnonce}"`;
  if (challenge.opaque !== undefined) out += `, opaque="${challenge.opaque}"`;
  return out;
}
