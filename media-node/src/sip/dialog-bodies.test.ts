import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDtmfRelay, sipfragStatus } from './dialog-bodies.js';

it('reads DTMF digits from application/dtmf-relay bodies', () => {
  const cases: Array<[string, string | undefined, number | undefined]> = [
    ['Signal=5\r\nDuration=160\r\n', '5', 160],
    ['Signal= #\r\n', '#', undefined],
    ['signal=11\nduration=100', '#', 100],
    ['Signal=x', undefined, undefined],
    ['', undefined, undefined],
  ];
  for (const [body, digit, duration] of cases) {
    const r = parseDtmfRelay(body);
    assert.equal(r?.digit, digit, body);
    assert.equal(r?.durationMs, duration, body);
  }
});

it('reads the status of a sipfrag', () => {
  assert.equal(sipfragStatus('SIP/2.0 200 OK\r\n'), 200);
  assert.equal(sipfragStatus('SIP/2.0 100 Trying'), 100);
  assert.equal(sipfragStatus('garbage'), undefined);
});
