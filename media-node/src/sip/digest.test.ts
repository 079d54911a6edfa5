import assert from 'node:assert/strict';
import { it } from 'node:test';
import { digestAuthorization, parseChallenge } from './digest.js';

it('answers the RFC 2617 example challenge with the published response', () => {
  const challenge = parseChallenge(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  assert.ok(challenge);
  const value = digestAuthorization(
    challenge,
    { username: 'Mufasa', password: 'Circle Of Life' },
    'GET',
    '/dir/index.html',
    '0a4f113b',
  );
  assert.match(value, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(value, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
});

it('rejects non-Digest and non-MD5 challenges', () => {
  assert.equal(parseChallenge('Basic realm="x"'), undefined);
  assert.equal(parseChallenge('Digest realm="x", nonce="y", algorithm=SHA-256'), undefined);
});
