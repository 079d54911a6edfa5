// A tool the project builds from source with the Go toolchain (scripts/ensure-<name>.sh): from
// $VOICEFLEET_<NAME> (dashes as underscores: VOICEFLEET_KUBE_ROUTER), else the build cache keyed by the script's pinned version; under CI=true
// the script builds it when it is not cached, elsewhere the caller skips with the reason.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const repoRoot = new URL('../../', import.meta.url).pathname;

export function findGoBuiltBinary(name: string): { path: string } | { missing: string } {
  const NAME = name.toUpperCase().replaceAll('-', '_');
  const fromEnv = process.env[`VOICEFLEET_${NAME}`];
  if (fromEnv && existsSync(fromEnv)) return { path: fromEnv };
  const script = join(repoRoot, `scripts/ensure-${name}.sh`);
  const version =
    process.env[`VOICEFLEET_${NAME}_VERSION`] ??
    readFileSync(script, 'utf8').match(new RegExp(`${NAME}_VERSION:-([0-9.]+)`))?.[1];
  const cache = process.env.VOICEFLEET_CACHE ?? join(homedir(), '.cache/voicefleet');
  const cached = join(cache, `${name}/v${version}/${name}`);
  if (existsSync(cached)) return { path: cached };
  if (process.env.CI === 'true') {
    const out = execFileSync('bash', [script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return { path: out.trim().split('\n').at(-1)! };
  }
  return {
    missing: `${name} not found: run \`bash scripts/ensure-${name}.sh\` (or set VOICEFLEET_${NAME})`,
  };
}
