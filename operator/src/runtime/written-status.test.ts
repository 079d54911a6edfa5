import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WrittenStatuses } from './written-status.js';

interface Obj {
  metadata: { name: string; resourceVersion?: string };
  status?: { phase?: string; note?: string };
}

const at = new Date('2026-12-07T10:00:00Z');
const obj = (resourceVersion: string | undefined, status?: Obj['status']): Obj => ({
  metadata: { name: 'a', ...(resourceVersion === undefined ? {} : { resourceVersion }) },
  ...(status === undefined ? {} : { status }),
});

describe('WrittenStatuses', () => {
  it('shows the written status while the cache still holds the version the write started from', () => {
    const written = new WrittenStatuses<{ phase: string }>();
    written.remember('ns/a', '10', { phase: 'Ready' }, at);
    const { object, writtenAt } = written.current('ns/a', obj('10', { phase: 'Pending' }));
    assert.deepEqual(object.status, { phase: 'Ready' });
    assert.equal(writtenAt, at);
  });

  it('keeps status fields the write did not set', () => {
    const written = new WrittenStatuses<{ phase: string }>();
    written.remember('ns/a', '10', { phase: 'Ready' }, at);
    const { object } = written.current('ns/a', obj('10', { phase: 'Pending', note: 'theirs' }));
    assert.deepEqual(object.status, { phase: 'Ready', note: 'theirs' });
  });

  it('takes the cache once it moved past that version, whoever wrote it, and forgets the write', () => {
    const written = new WrittenStatuses<{ phase: string }>();
    written.remember('ns/a', '10', { phase: 'Ready' }, at);
    const moved = obj('12', { phase: 'Failed' });
    assert.equal(written.current('ns/a', moved).object, moved);
    assert.equal(written.current('ns/a', moved).writtenAt, undefined);
    assert.equal(written.size, 0);
    // a later reconcile that (oddly) sees version 10 again does not resurrect the write
    assert.deepEqual(written.current('ns/a', obj('10', { phase: 'Pending' })).object.status, {
      phase: 'Pending',
    });
  });

  it('leaves other keys alone, and remembers nothing without a version to compare', () => {
    const written = new WrittenStatuses<{ phase: string }>();
    written.remember('ns/a', '10', { phase: 'Ready' }, at);
    const other = obj('10', { phase: 'Pending' });
    assert.equal(written.current('ns/b', other).object, other);
    written.remember('ns/a', undefined, { phase: 'Ready' }, at);
    assert.equal(written.size, 0);
    written.remember('ns/a', '10', { phase: 'Ready' }, at);
    written.forget('ns/a');
    assert.equal(written.size, 0);
  });
});
