import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignSetIds, parseSetIds, serializeSetIds } from './set-ids.js';

describe('assignSetIds', () => {
  it('gives new keys the lowest free ids in sorted order', () => {
    const { assignment, changed } = assignSetIds(['b', 'a'], new Map());
    assert.deepEqual(
      [...assignment],
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    assert.equal(changed, true);
  });

  it('keeps existing ids and fills holes', () => {
    const { assignment } = assignSetIds(
      ['a', 'c', 'd'],
      new Map([
        ['c', 3],
        ['d', 1],
      ]),
    );
    assert.deepEqual(Object.fromEntries(assignment), { a: 2, c: 3, d: 1 });
  });

  it('reports no change when nothing moved', () => {
    const previous = new Map([['a', 4]]);
    assert.equal(assignSetIds(['a'], previous).changed, false);
  });

  it('round-trips through JSON and skips malformed entries', () => {
    const m = new Map([
      ['pool/x', 2],
      ['trunk/y', 5],
    ]);
    assert.deepEqual(parseSetIds(serializeSetIds(m)), m);
    assert.deepEqual(parseSetIds('{"a":1,"b":"x","c":-2}'), new Map([['a', 1]]));
    assert.deepEqual(parseSetIds('not json'), new Map());
  });
});
