#!/usr/bin/env node
// Runs the node:test suites: `unit` (src/**/*.test.ts beside the code), `integration`
// (test/**/*.test.ts: real binaries on loopback), or both. Extra arguments filter files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [tier = 'all', ...filters] = process.argv.slice(2);
const tiers = {
  unit: { dirs: ['api/src', 'operator/src', 'media-node/src', 'devtools/src'], concurrency: 2 },
  integration: { dirs: ['test'], concurrency: 1 },
};

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const selected = tier === 'all' ? ['unit', 'integration'] : [tier];
if (!selected.every((t) => t in tiers)) {
  console.error(`run-tests: unknown tier "${tier}" (unit, integration or all)`);
  process.exit(2);
}
let status = 0;
for (const t of selected) {
  const { dirs, concurrency } = tiers[t];
  const files = dirs
    .flatMap((d) => findTests(join(root, d)))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  if (files.length === 0) continue;
  console.log(`\n== ${t}: ${files.length} files`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts/test-tier.mjs'), String(concurrency), ...files],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
