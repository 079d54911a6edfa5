import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideVoiceAgent, type VoiceAgentInput } from './decide-voice-agent.js';
import type {
  MediaNetworkPolicyOptions,
  NetworkPolicy,
  NetworkPolicyPeer,
} from './desired-network-policy.js';
import { voiceAgent } from './fixtures.test-support.js';

const prometheus: NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
};

const policy: MediaNetworkPolicyOptions = {
  edge: { namespace: 'voicefleet', labels: { 'app.kubernetes.io/component': 'edge' } },
  operator: { namespace: 'voicefleet', labels: { 'app.kubernetes.io/component': 'operator' } },
  sipFrom: [],
  metricsFrom: [prometheus],
  rtpFrom: [],
};

function decide(networkPolicy: MediaNetworkPolicyOptions | undefined, regions = ['us-east-1']) {
  const input: VoiceAgentInput = {
    agent: voiceAgent('front-desk', { regions }),
    specErrors: [],
    references: { trunks: new Map(), secrets: new Map() },
    ownedRegions: regions,
    lostNumbers: [],
    deployments: new Map(),
    pods: new Map(),
    statusWrittenAt: undefined,
    options: {
      image: 'voicefleet/media-node:test',
      multiRegionCluster: false,
      edgeUri: 'sip:10.96.0.10:5070',
      ...(networkPolicy !== undefined ? { networkPolicy } : {}),
    },
    now: new Date('2026-02-01T00:00:00Z'),
  };
  return decideVoiceAgent(input);
}

const policiesOf = (d: ReturnType<typeof decide>) =>
  d.children.filter((c): c is NetworkPolicy => c.kind === 'NetworkPolicy');

/** Which peers a port admits: 'any' when the rule names none. */
function admitted(p: NetworkPolicy, protocol: string, port: number): (NetworkPolicyPeer | 'any')[] {
  const rules = p.spec.ingress.filter((r) =>
    r.ports.some((q) => q.protocol === protocol && q.port <= port && port <= (q.endPort ?? q.port)),
  );
  return rules.flatMap((r): (NetworkPolicyPeer | 'any')[] => r.from ?? ['any']);
}

describe('the media pool NetworkPolicy', () => {
  it('is written per owned region, owned by the agent, selecting exactly that pool', () => {
    const d = decide(policy, ['us-east-1', 'eu-west-1']);
    const policies = policiesOf(d);
    assert.deepEqual(
      policies.map((p) => p.metadata?.name),
      ['front-desk-us-east-1', 'front-desk-eu-west-1'],
    );
    const deployment = d.children.find(
      (c) => c.kind === 'Deployment' && c.metadata?.name === 'front-desk-eu-west-1',
    ) as { spec: { selector: { matchLabels: Record<string, string> } } } | undefined;
    assert.deepEqual(
      policies[1]?.spec.podSelector.matchLabels,
      deployment?.spec.selector.matchLabels,
    );
    assert.deepEqual(policies[1]?.spec.policyTypes, ['Ingress']);
    assert.equal(policies[0]?.metadata?.ownerReferences?.[0]?.uid, 'uid-front-desk');
    assert.equal(policies[0]?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'voicefleet');
  });

  it('admits SIP from the edge pods only, in their namespace, and from the listed peers', () => {
    const [p] = policiesOf(decide(policy));
    assert.ok(p);
    const edge = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'voicefleet' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'edge' } },
    };
    assert.deepEqual(admitted(p, 'UDP', 5060), [edge]);
    assert.deepEqual(admitted(p, 'TCP', 5060), [edge]);
    // An edge in the host network sends from the nodes' addresses: listed as more SIP peers.
    const nodes = { ipBlock: { cidr: '10.0.0.0/16' } };
    const [host] = policiesOf(decide({ ...policy, sipFrom: [nodes] }));
    assert.ok(host);
    assert.deepEqual(admitted(host, 'UDP', 5060), [edge, nodes]);
  });

  it('admits the control port (status, calls, drain) from the operator pods only, Prometheus included not', () => {
    const [p] = policiesOf(decide(policy));
    assert.ok(p);
    assert.deepEqual(admitted(p, 'TCP', 8080), [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'voicefleet' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'operator' } },
      },
    ]);
  });

  it('admits the metrics port from the listed peers only, or from anywhere when none is listed', () => {
    const [p] = policiesOf(decide(policy));
    assert.ok(p);
    assert.deepEqual(admitted(p, 'TCP', 9464), [prometheus]);
    const [open] = policiesOf(decide({ ...policy, metricsFrom: [] }));
    assert.ok(open);
    assert.deepEqual(admitted(open, 'TCP', 9464), ['any']);
    assert.equal(admitted(open, 'TCP', 8080).length, 1, 'the control port stays the operator’s');
  });

  it('admits RTP on the whole media port range from anywhere, or from the listed peers', () => {
    const [open] = policiesOf(decide(policy));
    assert.ok(open);
    for (const port of [20000, 25000, 29999])
      assert.deepEqual(admitted(open, 'UDP', port), ['any']);
    assert.deepEqual(admitted(open, 'UDP', 30000), []);
    const sbc = { ipBlock: { cidr: '192.0.2.0/24' } };
    const [narrow] = policiesOf(decide({ ...policy, rtpFrom: [sbc] }));
    assert.ok(narrow);
    assert.deepEqual(admitted(narrow, 'UDP', 20000), [sbc]);
  });

  it('admits nothing else: no other port is open', () => {
    const [p] = policiesOf(decide(policy));
    assert.ok(p);
    for (const [protocol, port] of [
      ['TCP', 9090],
      ['UDP', 8080],
      ['UDP', 9464],
      ['TCP', 22],
      ['TCP', 20000],
    ] as const)
      assert.deepEqual(admitted(p, protocol, port), [], `${protocol}/${port}`);
  });

  it('is not written when the operator is not asked to', () => {
    assert.deepEqual(policiesOf(decide(undefined)), []);
  });
});
