import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePlaceCallBody } from './http-server.js';

void test('POST /calls body: accepts E.164 and sip: URIs, explains what is wrong otherwise', () => {
  assert.deepEqual(parsePlaceCallBody('{"to":"+14155550123"}'), { to: '+14155550123' });
  assert.deepEqual(parsePlaceCallBody('{"to":"sip:bob@127.0.0.1:5070"}'), {
    to: 'sip:bob@127.0.0.1:5070',
  });
  for (const bad of ['', 'nope', '{}', '{"to":5}', '{"to":"call me"}', '{"to":"+1 415"}']) {
    const result = parsePlaceCallBody(bad);
    assert.ok('error' in result, bad);
  }
});
