import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { edgeUriFor } from './edge-service.js';

describe('edgeUriFor', () => {
  it('writes the cluster IP as a SIP URI a media node can dial', () => {
    assert.equal(edgeUriFor('10.96.0.12', 5070), 'sip:10.96.0.12:5070');
    assert.equal(edgeUriFor('fd00::12', 5070), 'sip:[fd00::12]:5070');
  });
});
