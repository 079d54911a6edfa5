// helm for the chart tests: from $VOICEFLEET_HELM or the build cache; under CI=true
// scripts/ensure-helm.sh builds it (from source, with the Go toolchain) when it is not cached.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';

export const repoRoot = new URL('../', import.meta.url).pathname;
export const chartDir = join(repoRoot, 'charts/voicefleet');
export const KUBE_VERSION = '1.35.0';

// Rendered manifests are untyped data; the tests' assertions are their type check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RenderedObject = KubernetesObject & { [k: string]: any };

function findHelm(): { helm: string } | { missing: string } {
  const fromEnv = process.env.VOICEFLEET_HELM;
  if (fromEnv && existsSync(fromEnv)) return { helm: fromEnv };
  const script = readFileSync(join(repoRoot, 'scripts/ensure-helm.sh'), 'utf8');
  const version =
    process.env.VOICEFLEET_HELM_VERSION ?? script.match(/HELM_VERSION:-([0-9.]+)/)?.[1];
  const cache = process.env.VOICEFLEET_CACHE ?? join(homedir(), '.cache/voicefleet');
  const cached = join(cache, `helm/v${version}/helm`);
  if (existsSync(cached)) return { helm: cached };
  if (process.env.CI === 'true') {
    const out = execFileSync('bash', [join(repoRoot, 'scripts/ensure-helm.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return { helm: out.trim().split('\n').at(-1)! };
  }
  return { missing: 'helm not found: run `bash scripts/ensure-helm.sh` (or set VOICEFLEET_HELM)' };
}

const found = findHelm();
/** The helm binary, when there is one. */
export const helmBinary: string | undefined = 'helm' in found ? found.helm : undefined;
/** For `describe(name, { skip: helmSkipReason })`. */
export const helmSkipReason: string | false = 'helm' in found ? false : `skipped: ${found.missing}`;

export function runHelm(args: string[]): { status: number; stdout: string; stderr: string } {
  if (!('helm' in found)) throw new Error(found.missing);
  const r = spawnSync(found.helm, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` of the chart with the given values YAML; the objects, nulls dropped. */
export function renderChart(
  valuesYaml = '',
  extra: string[] = [],
  namespace = 'vf',
): RenderedObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'vf-chart-'));
  try {
    const values = join(dir, 'values.yaml');
    writeFileSync(values, valuesYaml);
    const r = runHelm([
      'template',
      'rel',
      chartDir,
      '--namespace',
      namespace,
      '--kube-version',
      KUBE_VERSION,
      '-f',
      values,
      ...extra,
    ]);
    assert.equal(r.status, 0, r.stderr);
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as RenderedObject | null)
      .filter((o): o is RenderedObject => o !== null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
