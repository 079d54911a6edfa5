import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolLoad, type MediaPod } from './pool-load.js';

const pod = (key: string, over: Partial<MediaPod> = {}, calls?: number): MediaPod => ({
  key,
  ready: true,
  terminating: false,
  deletionCost: 0,
  ...(calls === undefined ? {} : { load: { activeCalls: calls, capacity: 50, draining: false } }),
  ...over,
});

describe('poolLoad', () => {
  it('adds up the calls of serving pods and the capacity of the ready ones', () => {
    assert.deepEqual(poolLoad([pod('a', {}, 10), pod('b', {}, 20)], 50), {
      calls: 30,
      drainingCalls: 0,
      unknownPods: 0,
      capacity: 100,
      drainingPods: 0,
    });
  });
  it('counts calls on deleted or draining pods apart: they finish where they are', () => {
    const draining = pod('c', {}, 7);
    draining.load = { activeCalls: 7, capacity: 50, draining: true };
    const got = poolLoad(
      [pod('a', {}, 10), pod('b', { terminating: true, ready: false }, 5), draining],
      50,
    );
    assert.equal(got.calls, 10);
    assert.equal(got.drainingCalls, 12);
    assert.equal(got.drainingPods, 2);
    assert.equal(got.capacity, 50);
  });
  it('a ready pod that has not reported is unknown; a starting one is not yet capacity', () => {
    const got = poolLoad([pod('a'), pod('b', { ready: false })], 50);
    assert.equal(got.unknownPods, 1);
    assert.equal(got.capacity, 50, 'the unknown ready pod is counted at callsPerPod');
  });
});
