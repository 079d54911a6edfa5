/**
 * The scaler's load signal end to end: the operator's PodLoadTracker following a real media-node
 * process (`GET /status?watch=1`) while real SIP calls start and end and the node drains. The
 * operator must know a pod's calls within about a second of a change (docs/autoscaling.md).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PodLoadTracker, type PodLoad } from '../operator/src/scaling/pod-load-tracker.js';
import { createLogger } from '../operator/src/runtime/log.js';
import { TestCaller } from './media-node-caller.js';
import { startMediaNode, type RunningNode } from './media-node-process.js';

const KEY = 'default/media-0';
/** The load signal's promise: a change is known within about a second. */
const WITHIN_MS = 1000;

const nodes: RunningNode[] = [];
const callers: TestCaller[] = [];
let tracker: PodLoadTracker | undefined;

after(async () => {
  tracker?.stop();
  for (const c of callers) c.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

/** Resolves with the first load the tracker reports that matches, and how long it took. */
function nextLoad(
  seen: { load: PodLoad | undefined; changes: (() => void)[] },
  t: PodLoadTracker,
  match: (l: PodLoad | undefined) => boolean,
): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('load change not seen in 10 s')), 10_000);
    const check = (): void => {
      if (!match(t.load(KEY))) return;
      clearTimeout(timer);
      seen.changes = seen.changes.filter((c) => c !== check);
      resolve(performance.now() - start);
    };
    seen.changes.push(check);
    check();
  });
}

describe('load signal: a real media node seen by the operator', { timeout: 120_000 }, () => {
  it('knows a pod’s calls, capacity and drain within a second of each change', async () => {
    const node = await startMediaNode({ capacity: { maxCalls: 3 } });
    nodes.push(node);
    const seen: { load: PodLoad | undefined; changes: (() => void)[] } = {
      load: undefined,
      changes: [],
    };
    tracker = new PodLoadTracker({
      log: createLogger({}, 'error'),
      onChange: (key) => {
        assert.equal(key, KEY);
        for (const c of [...seen.changes]) c();
      },
    });
    const t = tracker;
    t.trackOne({ key: KEY, url: `http://127.0.0.1:${node.httpPort}` });
    await nextLoad(seen, t, (l) => l !== undefined);
    assert.deepEqual(t.load(KEY), { activeCalls: 0, capacity: 3, draining: false });

    const calls: TestCaller[] = [];
    for (let i = 1; i <= 2; i++) {
      const c = await TestCaller.create(node.sipPort);
      callers.push(c);
      calls.push(c);
      const counted = nextLoad(seen, t, (l) => l?.activeCalls === i);
      assert.equal((await c.invite()).status, 200);
      const ms = await counted;
      assert.ok(ms < WITHIN_MS, `call ${i} seen after ${ms.toFixed(0)} ms`);
    }

    const first = calls[0];
    assert.ok(first !== undefined);
    const ended = nextLoad(seen, t, (l) => l?.activeCalls === 1);
    assert.equal((await first.bye()).status, 200);
    const endMs = await ended;
    assert.ok(endMs < WITHIN_MS, `a call's end seen after ${endMs.toFixed(0)} ms`);

    const draining = nextLoad(seen, t, (l) => l?.draining === true);
    assert.equal((await node.http('POST', '/drain')).status, 202);
    const drainMs = await draining;
    assert.ok(drainMs < WITHIN_MS + 200, `the drain seen after ${drainMs.toFixed(0)} ms`);
    assert.deepEqual(t.load(KEY), { activeCalls: 1, capacity: 3, draining: true });

    // The last call ends, the node exits: the pod's load becomes unknown, not a stale number.
    const gone = nextLoad(seen, t, (l) => l === undefined);
    assert.equal((await calls[1]?.bye())?.status, 200);
    assert.equal(await node.exitCode, 0);
    await gone;
  });
});
