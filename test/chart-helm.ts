// helm for the chart tests: from $VOICEFLEET_HELM or the build cache; under CI=true
// scripts/ensure-helm.sh builds it (from source, with the Go toolchain) when it is not cached.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { findGoBuiltBinary } from './harness/go-built-binary.js';

export const repoRoot = new URL('../', import.meta.url).pathname;
export const chartDir = join(repoRoot, 'charts/voicefleet');
export const KUBE_VERSION = '1.35.0';

// Rendered manifests are untyped data; the tests' assertions are their type check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RenderedObject = KubernetesObject & { [k: string]: any };

const found = findGoBuiltBinary('helm');
/** The helm binary, when there is one. */
export const helmBinary: string | undefined = 'path' in found ? found.path : undefined;
/** For `describe(name, { skip: helmSkipReason })`. */
export const helmSkipReason: string | false = 'path' in found ? false : `skipped: ${found.missing}`;

export function runHelm(args: string[]): { status: number; stdout: string; stderr: string } {
  if (!('path' in found)) throw new Error(found.missing);
  const r = spawnSync(found.path, args, { encoding: 'utf8', timeout: 60_000 });
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
