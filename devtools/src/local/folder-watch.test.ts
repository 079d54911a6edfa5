import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchFolder } from './folder-watch.js';

const SETTLE_MS = 100;

describe('watchFolder', () => {
  let dir: string;
  let file: string;
  let changes = 0;
  const stop = new AbortController();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vf-watch-'));
    file = join(dir, 'agent.yaml');
    await writeFile(file, 'greeting: one\n');
    await watchFolder(dir, {
      onChange: () => changes++,
      onError: (error) => assert.fail(error),
      signal: stop.signal,
      settleMs: SETTLE_MS,
    });
  });

  after(async () => {
    stop.abort();
    await rm(dir, { recursive: true, force: true });
  });

  /** Saves once with `save` and returns how many change reports followed. */
  async function reportsAfter(save: () => Promise<void>): Promise<number> {
    const before = changes;
    await save();
    for (let waited = 0; waited < 3000 && changes === before; waited += 50) await sleep(50);
    await sleep(SETTLE_MS * 3); // and no second report for the same save
    return changes - before;
  }

  const sedInPlace = (text: string) => () => {
    const r = spawnSync('sed', ['-i', `s/^greeting: .*/greeting: ${text}/`, file]);
    assert.equal(r.status, 0);
    return Promise.resolve();
  };

  it('reports every save made by sed -i (a new file renamed over the old), not only the first', async () => {
    assert.equal(await reportsAfter(sedInPlace('two')), 1);
    assert.equal(await reportsAfter(sedInPlace('three')), 1);
    assert.equal(await reportsAfter(sedInPlace('four')), 1);
  });

  it('reports an editor-style save (write a temporary file, rename it over) and a plain write', async () => {
    const save = async () => {
      await writeFile(join(dir, '.agent.yaml.tmp'), 'greeting: five\n');
      await rename(join(dir, '.agent.yaml.tmp'), file);
    };
    assert.equal(await reportsAfter(save), 1);
    assert.equal(await reportsAfter(() => writeFile(file, 'greeting: six\n')), 1);
    assert.equal(await reportsAfter(sedInPlace('seven')), 1);
  });

  it('ignores editor swap and backup files', async () => {
    assert.equal(await reportsAfter(() => writeFile(join(dir, '.agent.yaml.swp'), 'x')), 0);
    assert.equal(await reportsAfter(() => writeFile(join(dir, 'agent.yaml~'), 'x')), 0);
  });
});
