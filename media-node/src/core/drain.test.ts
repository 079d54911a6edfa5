import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DrainController, decideDrain } from './drain.js';

void test('drain decision: serving, waiting, exit when empty, hang up at the deadline', () => {
  const cases = [
    {
      input: { startedAtMs: undefined, nowMs: 0, inProgress: 3, deadlineSeconds: 10 },
      kind: 'serving',
    },
    { input: { startedAtMs: 0, nowMs: 1000, inProgress: 3, deadlineSeconds: 10 }, kind: 'wait' },
    { input: { startedAtMs: 0, nowMs: 1000, inProgress: 0, deadlineSeconds: 10 }, kind: 'exit' },
    {
      input: { startedAtMs: 0, nowMs: 10_000, inProgress: 1, deadlineSeconds: 10 },
      kind: 'hangup-and-exit',
    },
    { input: { startedAtMs: 0, nowMs: 20_000, inProgress: 0, deadlineSeconds: 10 }, kind: 'exit' },
  ] as const;
  for (const c of cases) assert.equal(decideDrain(c.input).kind, c.kind, JSON.stringify(c.input));
  const wait = decideDrain({ startedAtMs: 0, nowMs: 4000, inProgress: 1, deadlineSeconds: 10 });
  assert.deepEqual(wait, { kind: 'wait', remainingMs: 6000 });
});

void test('drain controller finishes when the last call ends', async () => {
  let active = 2;
  const drain = new DrainController(
    { inProgress: () => active, hangupAll: () => Promise.resolve() },
    { deadlineSeconds: 60, pollMs: 10 },
  );
  const done = new Promise<{ reason: string }>((resolve) => drain.once('done', resolve));
  drain.start();
  assert.equal(drain.draining, true);
  active = 1;
  drain.check();
  active = 0;
  drain.check();
  assert.deepEqual(await done, { reason: 'empty' });
});

void test('drain controller hangs up remaining calls at the deadline', async () => {
  let now = 0;
  const hungUp: string[] = [];
  const drain = new DrainController(
    {
      inProgress: () => 1,
      hangupAll: (reason) => {
        hungUp.push(reason);
        return Promise.resolve();
      },
    },
    { deadlineSeconds: 1, pollMs: 5, now: () => now },
  );
  const done = new Promise<{ reason: string }>((resolve) => drain.once('done', resolve));
  drain.start();
  now = 1500;
  assert.deepEqual(await done, { reason: 'deadline' });
  assert.deepEqual(hungUp, ['drain-deadline']);
});
