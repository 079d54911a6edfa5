// Where the etcd / kube-apiserver / kube-controller-manager binaries come from, and what a suite
// does when they are missing: skip with a clear message locally, fail under CI=true.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CONTROL_PLANE_BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
] as const;

const repoRoot = new URL('../..', import.meta.url).pathname;

function hasAll(dir: string): boolean {
  try {
    for (const bin of CONTROL_PLANE_BINARIES) accessSync(join(dir, bin), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function cachedDir(): string | undefined {
  const cache = join(
    process.env.VOICEFLEET_CACHE ?? join(homedir(), '.cache/voicefleet'),
    'control-plane',
  );
  let entries: string[];
  try {
    entries = readdirSync(cache).sort().reverse();
  } catch {
    return undefined;
  }
  return entries.map((name) => join(cache, name)).find(hasAll);
}

/**
 * The directory holding the three binaries, or a reason why there is none. Order:
 * `$VOICEFLEET_CONTROL_PLANE_DIR`, `$KUBEBUILDER_ASSETS`, the build cache; under CI=true,
 * `scripts/ensure-control-plane.sh` is run (it builds when nothing is cached). Outside CI a
 * test never starts that multi-minute build.
 */
export function findControlPlaneDir(): { dir: string } | { missing: string } {
  for (const name of ['VOICEFLEET_CONTROL_PLANE_DIR', 'KUBEBUILDER_ASSETS'] as const) {
    const dir = process.env[name];
    if (dir === undefined || dir === '') continue;
    if (hasAll(dir)) return { dir };
    return { missing: `$${name}=${dir} lacks one of ${CONTROL_PLANE_BINARIES.join(', ')}` };
  }
  const cached = cachedDir();
  if (cached !== undefined) return { dir: cached };
  if (process.env.CI === 'true') {
    try {
      const out = execFileSync('bash', [join(repoRoot, 'scripts/ensure-control-plane.sh')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const dir = out.trim().split('\n').at(-1) ?? '';
      if (hasAll(dir)) return { dir };
    } catch {
      // reported below
    }
  }
  return {
    missing:
      'etcd/kube-apiserver/kube-controller-manager not found: run `bash scripts/ensure-control-plane.sh` ' +
      'and export VOICEFLEET_CONTROL_PLANE_DIR=<the directory it prints>',
  };
}

/**
 * For `describe(name, { skip: controlPlaneSkipReason() }, ...)`: false when the binaries are
 * there, a message when they are not; throws under CI=true, where this tier must run.
 */
export function controlPlaneSkipReason(): string | false {
  const found = findControlPlaneDir();
  if ('dir' in found) return false;
  if (process.env.CI === 'true') throw new Error(`API-server tests cannot run: ${found.missing}`);
  return found.missing;
}

/**
 * Inside a test: returns the binaries' directory, or marks the test skipped (locally) and returns
 * undefined; under CI=true a missing binary fails the test.
 */
export function requireControlPlane(t: { skip(message?: string): void }): string | undefined {
  const found = findControlPlaneDir();
  if ('dir' in found) return found.dir;
  if (process.env.CI === 'true') throw new Error(`API-server tests cannot run: ${found.missing}`);
  t.skip(found.missing);
  return undefined;
}
