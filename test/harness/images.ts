// The project's container images for the image-level and cluster tiers: built by
// scripts/images.sh (Docker's layer cache makes a rebuild of unchanged sources take seconds), on a
// Docker engine that scripts/ensure-docker.sh provides. Under CI=true a missing engine is installed
// and started; locally a suite skips with the command to run instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenericContainer } from 'testcontainers';

const repoRoot = new URL('../..', import.meta.url).pathname;

// testcontainers' reaper (Ryuk) is an image from a registry this machine cannot reach; every suite
// stops its containers in its own `after` hook instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export const IMAGE_NAMES = ['operator', 'media-node', 'edge'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/** The package version: the tag `npm run images` gives every image. */
export const IMAGE_TAG = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

export function imageRef(name: ImageName): string {
  return `voicefleet/${name}:${IMAGE_TAG}`;
}

function dockerAnswers(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/**
 * For `describe(name, { skip: dockerSkipReason() })`: false when a Docker engine answers. Under
 * CI=true it installs and starts one (scripts/ensure-docker.sh) and throws when that fails.
 */
export function dockerSkipReason(): string | false {
  if (dockerAnswers()) return false;
  if (process.env.CI === 'true') {
    execFileSync('bash', [join(repoRoot, 'scripts/ensure-docker.sh')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (dockerAnswers()) return false;
    throw new Error('no Docker engine answers after scripts/ensure-docker.sh');
  }
  return 'skipped: no Docker engine; run `bash scripts/ensure-docker.sh` (root) first';
}

let built = false;

/** Builds the three images once per test process (Docker reuses every unchanged layer). */
export function buildImages(): void {
  if (built) return;
  const t0 = Date.now();
  const r = spawnSync('bash', [join(repoRoot, 'scripts/images.sh')], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  if (r.status !== 0)
    throw new Error(`npm run images failed (${r.status}):\n${r.stdout}\n${r.stderr.slice(-4000)}`);
  built = true;
  process.stderr.write(`images built in ${Date.now() - t0} ms:\n${r.stdout}`);
}

/** Image sizes in MiB, as `docker image inspect` reports them. */
export function imageSizesMiB(): Record<ImageName, number> {
  const out = {} as Record<ImageName, number>;
  for (const name of IMAGE_NAMES) {
    const bytes = Number(
      execFileSync('docker', ['image', 'inspect', '-f', '{{.Size}}', imageRef(name)], {
        encoding: 'utf8',
      }).trim(),
    );
    out[name] = Math.round((bytes / 1048576) * 10) / 10;
  }
  return out;
}

/**
 * A container run the way the chart runs its pods: the image's own non-root user, a read-only
 * root filesystem, every capability dropped, no privilege escalation.
 */
export class HardenedContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
    this.hostConfig.CapDrop = ['ALL'];
    this.hostConfig.SecurityOpt = ['no-new-privileges'];
    // The images are local: an attempt to pull one would leave the machine.
    this.withPullPolicy({ shouldPull: () => false });
  }
}
