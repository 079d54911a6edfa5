import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceAddressFor } from '@voicefleet/media-node/sip';
import { edgeHostPort } from './test-call.js';

describe('the caller address', () => {
  it('reads host and port from the edge URI, 5060 by default', () => {
    assert.deepEqual(edgeHostPort('sip:127.0.0.1:5060'), { host: '127.0.0.1', port: 5060 });
    assert.deepEqual(edgeHostPort('sip:10.244.0.1:30560'), { host: '10.244.0.1', port: 30560 });
    assert.deepEqual(edgeHostPort('sip:+1415@192.0.2.7'), { host: '192.0.2.7', port: 5060 });
    assert.deepEqual(edgeHostPort('sip:[::1]:5070;transport=udp'), { host: '::1', port: 5070 });
    assert.throws(() => edgeHostPort('http://x'), /not a sip: URI/);
  });

  it('binds where the route to the edge leaves from: loopback for a loopback edge', async () => {
    assert.equal(await sourceAddressFor('127.0.0.1', 5060), '127.0.0.1');
    assert.equal(await sourceAddressFor('127.0.0.5', 5060), '127.0.0.1');
  });
});
