import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatVia, parseVia, responseDestination, stampVia } from './via.js';

const source = { address: '127.0.0.9', port: 40000 };

it('routes responses by Via: received address, rport or sent-by port (RFC 3261 §18.2.2, RFC 3581)', () => {
  const cases: Array<[string, boolean, number]> = [
    ['SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK1', false, 5070],
    ['SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK1', false, 5060],
    ['SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK1;rport', false, 40000],
    ['SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK1', true, 40000],
  ];
  for (const [text, force, port] of cases) {
    const via = parseVia(text);
    assert.ok(via, text);
    assert.deepEqual(responseDestination(via, source, force), { address: '127.0.0.9', port }, text);
  }
});

it('stamps received and rport on the top Via', () => {
  const via = parseVia('SIP/2.0/UDP host.example:5070;branch=z9hG4bK1;rport');
  assert.ok(via);
  assert.equal(
    formatVia(stampVia(via, source)),
    'SIP/2.0/UDP host.example:5070;branch=z9hG4bK1;rport=40000;received=127.0.0.9',
  );
  const same = parseVia('SIP/2.0/UDP 127.0.0.9:40000;branch=z9hG4bK1');
  assert.ok(same);
  assert.equal(stampVia(same, source).params.has('received'), false);
});

it('rejects malformed Via values', () => {
  for (const text of [
    'SIP/2.0/UDP',
    'SIP/2.0 UDP host',
    'SIP/2.0/UDP host;;',
    'SIP/2.0/UDP host:99999',
    'SIP/2.0/UDP host;branch=z9hG4bK',
    'SIP/2.0/UDP ho st',
  ]) {
    assert.equal(parseVia(text), undefined, text);
  }
});
