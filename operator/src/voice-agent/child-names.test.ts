import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childName } from './child-names.js';

describe('childName', () => {
  it('joins agent and region when short', () => {
    assert.equal(childName('front-desk', 'us-east-1'), 'front-desk-us-east-1');
  });
  it('truncates and hashes long names to 63 characters, distinct per input', () => {
    const a = childName('a'.repeat(60), 'us-east-1');
    const b = childName('a'.repeat(60), 'us-west-2');
    assert.equal(a.length, 63);
    assert.match(a, /^a+-[0-9a-f]{8}$/);
    assert.notEqual(a, b);
  });
});
