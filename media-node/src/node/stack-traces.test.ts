import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

const module = new URL('./stack-traces.ts', import.meta.url).href;

void it('stack traces: unmapped while running, mapped again for an uncaught exception', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vf-stacks-'));
  try {
    const file = join(dir, 'crash.ts');
    writeFileSync(
      file,
      [
        `import { formatStacksUnmapped } from ${JSON.stringify(module)};`,
        'type Unused = { a: number };',
        'formatStacksUnmapped();',
        "console.log(process.sourceMapsEnabled ? 'mapped' : 'unmapped');",
        "setTimeout(() => { throw new Error('crash on line 5'); }, 1);",
        '',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
    assert.notEqual(run.status, 0, 'the process dies of the uncaught exception');
    assert.equal(run.stdout.trim(), 'unmapped');
    assert.match(run.stderr, /crash on line 5/);
    assert.match(
      run.stderr,
      /crash\.ts:5:\d+/,
      `the printed stack points at the source:\n${run.stderr}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
