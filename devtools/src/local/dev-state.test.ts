import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDevState, writeDevState, type DevState } from './dev-state.js';

const state = (n: number): DevState => ({
  pid: process.pid,
  edges: [{ region: 'us-east-1', sipUri: 'sip:127.0.0.1:5060' }],
  nodes: Array.from({ length: 50 }, (_, i) => ({
    id: `node-${n}-${i}`,
    poolKey: 'default/front-desk/us-east-1',
    httpUrl: `http://127.0.0.1:${9000 + i}`,
    metricsUrl: `http://127.0.0.1:${9100 + i}/metrics`,
    phase: 'ready',
  })),
});

test('a reader never finds the running fleet missing while its state is rewritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vf-dev-state-'));
  try {
    await writeDevState(dir, state(0));
    let missing = 0;
    const writes = (async () => {
      for (let n = 1; n <= 200; n++) await writeDevState(dir, state(n));
    })();
    const reads = (async () => {
      for (let n = 0; n < 400; n++) if ((await readDevState(dir)) === undefined) missing++;
    })();
    await Promise.all([writes, reads]);
    assert.equal(missing, 0, 'reads that found no fleet');
    assert.equal((await readDevState(dir))?.nodes[0]?.id, 'node-200-0');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writes that overlap in one process all succeed, and the file holds one of them whole', async () => {
  // The fleet saves its state on every status tick and after every reload; the two overlap.
  const dir = await mkdtemp(join(tmpdir(), 'vf-dev-state-'));
  try {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, n) => writeDevState(dir, state(n))),
    );
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected').map((r) => String(r.reason)),
      [],
    );
    const written = (await readDevState(dir))?.nodes[0]?.id ?? '';
    assert.match(written, /^node-\d+-0$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
