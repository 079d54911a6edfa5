// Test support: loads the RFC 4475 torture messages from the repository's sibling shared/ folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TortureCase {
  name: string;
  expected: 'valid' | 'invalid';
  action: string;
  kind: 'request' | 'response';
  /** `valid`, `drop`, or `reject:<codes>` */
  score: string;
  lenientOk: boolean;
  data: Buffer;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const RFC4475_DIR = join(repoRoot, '..', 'shared', 'testdata', 'rfc4475');

/** The corpus, or a reason string when it is absent (callers skip unless CI=true). */
export function loadRfc4475(): TortureCase[] | string {
  const manifest = join(RFC4475_DIR, 'manifest.tsv');
  if (!existsSync(manifest)) {
    if (process.env.CI === 'true') throw new Error(`RFC 4475 corpus missing at ${RFC4475_DIR}`);
    return `RFC 4475 corpus not found at ${RFC4475_DIR}`;
  }
  const rows = readFileSync(manifest, 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [name = '', expected, action = '', , kind, score = '', lenient] = row.split('\t');
    return {
      name,
      expected: expected === 'valid' ? 'valid' : 'invalid',
      action,
      kind: kind === 'response' ? 'response' : 'request',
      score,
      lenientOk: lenient === 'yes',
      data: readFileSync(join(RFC4475_DIR, `${name}.dat`)),
    };
  });
}

/** Status codes a UAS may answer with for a `reject:` score. */
export function rejectCodes(score: string): number[] {
  return score.startsWith('reject:') ? score.slice(7).split(',').map(Number) : [];
}
