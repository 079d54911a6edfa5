import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  recordRecommendation,
  scalePool,
  wantedReplicas,
  type PoolObservation,
  type PoolPolicy,
  type PoolScale,
  type ScaleHistory,
} from './pool-scaler.js';

const policy: PoolPolicy = {
  callsPerPod: 50,
  bufferCalls: 10,
  bufferPercent: 0,
  minReplicas: 1,
  maxReplicas: 6,
  scaleDownStabilizationSeconds: 300,
};
const T0 = Date.parse('2026-01-01T12:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const none: ScaleHistory = { recommendations: [] };

describe('wantedReplicas', () => {
  const cases: [string, number, Partial<PoolPolicy>, number][] = [
    ['no calls and no buffer: no pod', 0, { bufferCalls: 0 }, 0],
    ['no calls: the buffer alone asks for a pod', 0, {}, 1],
    ['calls plus buffer that fit one pod', 40, {}, 1],
    ['one call more: a second pod', 41, {}, 2],
    ['the percent buffer wins when larger', 200, { bufferPercent: 20 }, 5],
    ['the call buffer wins when larger', 20, { bufferPercent: 20 }, 1],
  ];
  for (const [name, calls, override, want] of cases) {
    it(name, () => assert.equal(wantedReplicas(calls, { ...policy, ...override }), want));
  }
});

describe('scalePool: one decision', () => {
  interface Case {
    name: string;
    obs: Partial<PoolObservation>;
    policy?: Partial<PoolPolicy>;
    now?: number;
    replicas: number;
    limited?: PoolScale['limited'];
    requeueAfterMs?: number;
  }
  const cases: Case[] = [
    { name: 'a new pool starts at the minimum when idle', obs: { replicas: undefined }, policy: { minReplicas: 2 }, replicas: 2, limited: 'MinReplicas' },
    { name: 'a new pool starts at what its calls ask for', obs: { replicas: undefined, calls: 120 }, replicas: 3 },
    { name: 'keeps its size while the buffer is free', obs: { replicas: 2, calls: 90 }, replicas: 2 },
    { name: 'adds a pod the moment the calls eat into the buffer', obs: { replicas: 2, calls: 91 }, replicas: 3 },
    { name: 'scales up by as many pods as needed at once', obs: { replicas: 1, calls: 200 }, replicas: 5 },
    { name: 'stops at maxReplicas and says so', obs: { replicas: 6, calls: 400 }, replicas: 6, limited: 'MaxReplicas' },
    { name: 'scales up to maxReplicas, no further', obs: { replicas: 2, calls: 400 }, replicas: 6, limited: 'MaxReplicas' },
    { name: 'stays at minReplicas when idle and says so', obs: { replicas: 2 }, policy: { minReplicas: 2 }, replicas: 2, limited: 'MinReplicas' },
    { name: 'runs no pod with minReplicas 0 and no buffer', obs: { replicas: 0 }, policy: { minReplicas: 0, bufferCalls: 0 }, replicas: 0 },
    {
      name: 'does not remove a pod the moment calls fall: it stabilizes first',
      obs: { replicas: 3, calls: 10 },
      replicas: 3,
      limited: 'Stabilizing',
      requeueAfterMs: 300_000,
    },
    {
      name: 'with no stabilization window it scales down at once',
      obs: { replicas: 3, calls: 10 },
      policy: { scaleDownStabilizationSeconds: 0 },
      replicas: 1,
    },
    {
      name: 'removes nothing while a ready pod has not reported its calls',
      obs: { replicas: 3, calls: 10, unknownPods: 1 },
      policy: { scaleDownStabilizationSeconds: 0 },
      replicas: 3,
      limited: 'LoadUnknown',
    },
    {
      name: 'still scales up while a pod has not reported its calls',
      obs: { replicas: 2, calls: 95, unknownPods: 1 },
      replicas: 3,
    },
    {
      name: 'never below the calls in progress, even above a lowered maxReplicas',
      obs: { replicas: 5, calls: 230 },
      policy: { maxReplicas: 2, scaleDownStabilizationSeconds: 0 },
      replicas: 5,
      limited: 'CallsInProgress',
    },
    {
      name: 'a lowered maxReplicas removes the pods the calls do not need',
      obs: { replicas: 6, calls: 120 },
      policy: { maxReplicas: 2, scaleDownStabilizationSeconds: 0 },
      replicas: 3,
      limited: 'CallsInProgress',
    },
    {
      name: 'a scale-up limit caps the step',
      obs: { replicas: 1, calls: 200 },
      policy: { scaleUpLimit: { pods: 2, periodSeconds: 10 } },
      replicas: 3,
      limited: 'RateLimited',
      requeueAfterMs: 10_000,
    },
    {
      name: 'a scale-up limit holds the next step until its period is over',
      obs: { replicas: 3, calls: 200, history: { ...none, lastScaleUpTime: iso(-4) } },
      policy: { scaleUpLimit: { pods: 2, periodSeconds: 10 } },
      replicas: 3,
      limited: 'RateLimited',
      requeueAfterMs: 6_000,
    },
    {
      name: 'a scale-down limit caps the step',
      obs: { replicas: 6, calls: 0 },
      policy: { scaleDownStabilizationSeconds: 0, scaleDownLimit: { pods: 2, periodSeconds: 60 } },
      replicas: 4,
      limited: 'RateLimited',
      requeueAfterMs: 60_000,
    },
    {
      name: 'a scale-down limit holds the next step until its period is over',
      obs: { replicas: 4, calls: 0, history: { ...none, lastScaleDownTime: iso(-20) } },
      policy: { scaleDownStabilizationSeconds: 0, scaleDownLimit: { pods: 2, periodSeconds: 60 } },
      replicas: 4,
      limited: 'RateLimited',
      requeueAfterMs: 40_000,
    },
  ]; // prettier-ignore
  for (const c of cases) {
    it(c.name, () => {
      const obs: PoolObservation = {
        replicas: 1,
        calls: 0,
        unknownPods: 0,
        history: none,
        ...c.obs,
      };
      const got = scalePool(obs, { ...policy, ...c.policy }, at(c.now ?? 0));
      assert.equal(got.replicas, c.replicas, got.reason);
      assert.equal(got.limited, c.limited, got.reason);
      assert.equal(got.requeueAfterMs, c.requeueAfterMs, got.reason);
      assert.ok(got.reason.length > 0);
    });
  }
});

/** Runs passes over time, feeding each pass's history into the next, as status does. */
function run(
  start: number,
  steps: readonly [seconds: number, calls: number][],
  p: PoolPolicy = policy,
): { at: number; replicas: number; limited?: string }[] {
  let replicas = start;
  let history: ScaleHistory = none;
  return steps.map(([seconds, calls]) => {
    const got = scalePool({ replicas, calls, unknownPods: 0, history }, p, at(seconds));
    replicas = got.replicas;
    history = got.history;
    return { at: seconds, replicas, ...(got.limited ? { limited: got.limited } : {}) };
  });
}

describe('scalePool: over time', () => {
  it('shrinks only after the smaller size has been enough for the whole window', () => {
    const got = run(3, [[0, 10], [299, 10], [300, 10]]); // prettier-ignore
    assert.deepEqual(
      got.map((g) => g.replicas),
      [3, 3, 1],
    );
  });

  it('shrinks to the largest size wanted within the window, not the latest', () => {
    // 3 pods; calls ask for 1, then 2 at 100 s, then 1 again at 200 s.
    const got = run(3, [[0, 10], [100, 60], [200, 10], [300, 10], [399, 10], [400, 10], [500, 10]]); // prettier-ignore
    assert.deepEqual(
      got.map((g) => g.replicas),
      [3, 3, 3, 2, 2, 2, 1],
    );
  });

  it('a rise inside the window starts the window again', () => {
    const got = run(3, [[0, 10], [200, 140], [250, 10], [400, 10], [550, 10]]); // prettier-ignore
    assert.deepEqual(
      got.map((g) => g.replicas),
      [3, 3, 3, 3, 1],
    );
  });

  it('steps down one limit at a time once the window is over', () => {
    const p = {
      ...policy,
      scaleDownStabilizationSeconds: 60,
      scaleDownLimit: { pods: 1, periodSeconds: 30 },
    };
    const got = run(4, [[0, 0], [60, 0], [70, 0], [90, 0], [120, 0], [150, 0]], p); // prettier-ignore
    assert.deepEqual(
      got.map((g) => g.replicas),
      [4, 3, 3, 2, 1, 1],
    );
  });

  it('a steady pool keeps the same history, so its status is not rewritten', () => {
    let history: ScaleHistory = none;
    const seen = new Set<string>();
    for (let s = 0; s < 600; s += 7) {
      const got = scalePool({ replicas: 2, calls: 60, unknownPods: 0, history }, policy, at(s));
      history = got.history;
      seen.add(JSON.stringify(got));
    }
    assert.equal(seen.size, 1);
  });

  it('a stabilizing pool rewrites its history only when the wanted size changes', () => {
    let history: ScaleHistory = none;
    const histories = new Set<string>();
    for (let s = 0; s < 250; s += 5) {
      const got = scalePool({ replicas: 3, calls: 10, unknownPods: 0, history }, policy, at(s));
      history = got.history;
      histories.add(JSON.stringify(history));
    }
    assert.equal(histories.size, 1);
  });
});

describe('recordRecommendation', () => {
  const W = 300_000;
  it('drops what a later, larger size outweighs', () => {
    const got = recordRecommendation(
      [
        { time: iso(0), replicas: 3 },
        { time: iso(10), replicas: 1 },
      ],
      2,
      T0 + 20_000,
      W,
    );
    // 2 holds from 10 s on as far as any window ending now can tell: 3 ended at 10 s.
    assert.deepEqual(got, [
      { time: iso(0), replicas: 3 },
      { time: iso(10), replicas: 2 },
    ]);
  });
  it('keeps the front while it was in effect at the start of the window', () => {
    const list = [
      { time: iso(0), replicas: 3 },
      { time: iso(100), replicas: 1 },
    ];
    assert.equal(recordRecommendation(list, 1, T0 + 399_000, W).length, 2);
    assert.deepEqual(recordRecommendation(list, 1, T0 + 400_000, W), [
      { time: iso(100), replicas: 1 },
    ]);
  });
});

describe('scalePool: promises kept on random call curves', () => {
  // A small deterministic PRNG, so a failure replays.
  const rng = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: no pod starts while the free slots cover the buffer, none goes inside the window, none below the calls`, () => {
      const random = rng(seed);
      const p = { ...policy, maxReplicas: 20, scaleDownStabilizationSeconds: 60 };
      let replicas = 1;
      let history: ScaleHistory = none;
      let calls = 0;
      const wantedAt: [number, number][] = [];
      for (let s = 0; s < 3600; s += 1 + Math.floor(random() * 5)) {
        calls = Math.max(0, Math.min(900, calls + Math.round((random() - 0.5) * 40)));
        const got = scalePool({ replicas, calls, unknownPods: 0, history }, p, at(s));
        const wanted = Math.min(p.maxReplicas, Math.max(p.minReplicas, wantedReplicas(calls, p)));
        wantedAt.push([s, wanted]);
        if (got.replicas > replicas) {
          assert.ok(
            replicas * p.callsPerPod - calls < p.bufferCalls,
            `started a pod at ${s} s with free slots`,
          );
        }
        if (got.replicas < replicas) {
          // Every size wanted within the last 60 s, and the one in effect when the window began.
          const first = wantedAt.findLastIndex(([t]) => t <= s - 60);
          const inWindow = wantedAt.slice(Math.max(0, first)).map(([, w]) => w);
          assert.ok(
            got.replicas >= Math.max(...inWindow),
            `went below the window's largest at ${s} s`,
          );
        }
        assert.ok(got.replicas * p.callsPerPod >= Math.min(calls, p.maxReplicas * p.callsPerPod));
        replicas = got.replicas;
        history = got.history;
      }
    });
  }
});
