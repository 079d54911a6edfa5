import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import type { Stored } from './kube/stored.js';
import { readSipTrunk, readVoiceAgent } from './resources.js';
import { decideVoiceAgent } from './voice-agent/decide-voice-agent.js';

/** A VoiceAgent as a server without the CRD's defaults stores it: no capacity, no codecs. */
function bareAgent(spec: Record<string, unknown>): Stored<VoiceAgent> {
  return {
    apiVersion: 'voicefleet.io/v1alpha1',
    kind: 'VoiceAgent',
    metadata: { name: 'bare', namespace: 'default', uid: 'u1', generation: 1 },
    spec,
  } as unknown as Stored<VoiceAgent>;
}

const decideFor = (agent: Stored<VoiceAgent>) => {
  const { value, errors } = readVoiceAgent(agent);
  return decideVoiceAgent({
    agent: value,
    specErrors: errors,
    references: { trunks: new Map(), secrets: new Map() },
    ownedRegions: ['us-east-1'],
    lostNumbers: [],
    deployments: new Map(),
    pods: new Map(),
    statusWrittenAt: undefined,
    options: { image: 'img', multiRegionCluster: false, edgeUri: 'sip:127.0.0.1:5060' },
    now: new Date('2026-02-01T00:00:00Z'),
  });
};

describe('readVoiceAgent / readSipTrunk', () => {
  it('fills the defaults a server did not, so an agent without capacity is decided', () => {
    const agent = bareAgent({
      numbers: ['+14155550100'],
      regions: [{ name: 'us-east-1' }],
      pipeline: {
        llm: {
          provider: 'scripted',
          script: {
            fallback: 'Sorry?',
            intents: [{ name: 'bye', examples: ['bye'], reply: 'Bye' }],
          },
        },
      },
    });
    const { value, errors } = readVoiceAgent(agent);
    assert.deepEqual(errors, []);
    assert.equal(value.spec.capacity.callsPerPod, 50);
    assert.equal(agent.spec.capacity, undefined, 'the cached object is left as it is');
    const d = decideFor(agent);
    assert.equal(d.children.length, 4);
    assert.equal(d.status.regions[0]?.desiredReplicas, 1);
  });

  it('returns what admission would reject instead of throwing, and the decision says it', () => {
    const agent = bareAgent({ regions: 'us-east-1', pipeline: {} });
    const { errors } = readVoiceAgent(agent);
    assert.ok(errors.some((e) => e.path === 'spec.regions'));
    const d = decideFor(agent);
    assert.deepEqual(d.children, []);
    const ready = d.status.conditions.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'InvalidSpec');
    assert.match(ready?.message ?? '', /spec.regions/);
  });

  it('reads each cached version once', () => {
    const agent = bareAgent({ regions: [{ name: 'us-east-1' }], pipeline: {} });
    assert.equal(readVoiceAgent(agent), readVoiceAgent(agent));
  });

  it('fills a trunk gateway default', () => {
    const trunk = {
      apiVersion: 'voicefleet.io/v1alpha1',
      kind: 'SipTrunk',
      metadata: { name: 't', namespace: 'default', uid: 'u2' },
      spec: { gateways: [{ name: 'a', host: '127.0.0.1' }] },
    } as unknown as Stored<SipTrunk>;
    const { value, errors } = readSipTrunk(trunk);
    assert.deepEqual(errors, []);
    assert.equal(value.spec.gateways[0]?.port, 5060);
    assert.equal(value.spec.failover.timeoutMs, 2000);
  });
});
