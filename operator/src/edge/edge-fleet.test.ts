import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { discoveredEdges } from './edge-fleet.js';

function pod(name: string, ip: string | undefined, region?: string, ready = true): V1Pod {
  return {
    metadata: {
      name,
      ...(region !== undefined ? { labels: { 'voicefleet.io/region': region } } : {}),
    },
    status: {
      ...(ip !== undefined ? { podIP: ip } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

describe('discoveredEdges', () => {
  const discovery = { port: 5090, token: 't' };

  it('finds each ready edge pod of an owned region, with the region from its label', () => {
    const edges = discoveredEdges(
      [
        pod('edge-a', '10.0.0.5', 'us-east-1'),
        pod('edge-b', '10.1.0.5', 'eu-west-1'),
        pod('edge-c', 'fd00::5', 'eu-west-1'),
      ],
      discovery,
      ['us-east-1', 'eu-west-1'],
    );
    assert.deepEqual(
      edges.map((e) => [e.name, e.region, e.rpcUrl]),
      [
        ['edge-a', 'us-east-1', 'http://10.0.0.5:5090/RPC'],
        ['edge-b', 'eu-west-1', 'http://10.1.0.5:5090/RPC'],
        ['edge-c', 'eu-west-1', 'http://[fd00::5]:5090/RPC'],
      ],
    );
  });

  it('skips pods not ready, without an IP, or of a region another operator owns', () => {
    const edges = discoveredEdges(
      [
        pod('starting', '10.0.0.6', 'us-east-1', false),
        pod('no-ip', undefined, 'us-east-1'),
        pod('elsewhere', '10.9.0.5', 'ap-south-1'),
        pod('unlabelled', '10.0.0.7'),
      ],
      discovery,
      ['us-east-1'],
    );
    assert.deepEqual(
      edges.map((e) => [e.name, e.region]),
      [['unlabelled', 'us-east-1']],
    );
  });
});
