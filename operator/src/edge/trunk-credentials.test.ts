import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trunkCredentials } from './trunk-credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('trunkCredentials', () => {
  it('decodes username, password and realm from the cached Secret', () => {
    assert.deepEqual(
      trunkCredentials({ data: { username: b64('u'), password: b64('p'), realm: b64('r') } }),
      { username: 'u', password: 'p', realm: 'r' },
    );
  });
  it('has none for a missing Secret or one without a password', () => {
    assert.equal(trunkCredentials(undefined), undefined);
    assert.equal(trunkCredentials({ data: { username: b64('u') } }), undefined);
  });
});
