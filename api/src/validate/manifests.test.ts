import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseManifests } from './manifests.js';

const examples = new URL('../../../crds/examples/', import.meta.url);

describe('parseManifests', () => {
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
    it(`reads crds/examples/${file} without errors`, () => {
      const r = parseManifests(readFileSync(new URL(file, examples), 'utf8'));
      assert.deepEqual(r.errors, []);
      assert.ok(r.voiceAgents.length + r.sipTrunks.length > 0);
    });
  }

  it('points every example address at loopback, so running them probes nothing outside', () => {
    for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
      const r = parseManifests(readFileSync(new URL(file, examples), 'utf8'));
      for (const t of r.sipTrunks) {
        for (const g of t.spec.gateways) assert.match(g.host, /^127\./, `${file}: ${g.name}`);
        // An ACL admits callers and probes nothing: loopback for the local fleet, the private
        // ranges for a cluster's nodes and pods; never a public address.
        for (const c of t.spec.inbound?.sourceCidrs ?? [])
          assert.match(c, /^(127\.|10\.0\.0\.0\/8$|172\.16\.0\.0\/12$|192\.168\.0\.0\/16$)/, file);
      }
      for (const a of r.voiceAgents) {
        const target = a.spec.transfer?.target ?? '';
        if (target.startsWith('sip')) assert.match(target, /@127\.|:127\./, file);
        for (const p of [a.spec.pipeline.llm, a.spec.pipeline.stt, a.spec.pipeline.tts])
          if ('endpoint' in p && p.endpoint !== undefined)
            assert.match(p.endpoint, /127\.0\.0\.1/, file);
      }
      const ports = r.sipTrunks.flatMap((t) => t.spec.gateways.map((g) => g.port));
      assert.equal(new Set(ports).size, ports.length, `${file}: gateway ports must differ`);
    }
  });

  it('returns typed, defaulted objects and keeps other kinds aside', () => {
    const r = parseManifests(readFileSync(new URL('carrier-trunk.yaml', examples), 'utf8'));
    assert.equal(r.sipTrunks[0]!.metadata.name, 'carrier-a');
    assert.deepEqual(
      r.sipTrunks[0]!.spec.gateways.map((g) => `${g.host}:${g.port}/${g.priority}`),
      ['127.0.0.1:5091/1', '127.0.0.1:5092/2'],
    );
    assert.equal(r.others[0]!.kind, 'Secret');
  });

  it('reports errors with the index of the document, its kind and name', () => {
    const text = [
      'apiVersion: voicefleet.io/v1alpha1\nkind: SipTrunk\nmetadata: {name: ok}\nspec:\n  gateways: [{name: a, host: 127.0.0.1}]',
      'apiVersion: voicefleet.io/v1alpha1\nkind: SipTrunk\nmetadata: {name: broken}\nspec:\n  gateways: [{name: a, host: 127.0.0.1, port: 0}]',
    ].join('\n---\n');
    const r = parseManifests(text);
    assert.equal(r.sipTrunks.length, 1);
    assert.equal(r.errors.length, 1);
    assert.deepEqual(
      {
        document: r.errors[0]!.document,
        kind: r.errors[0]!.kind,
        name: r.errors[0]!.name,
        path: r.errors[0]!.path,
      },
      { document: 1, kind: 'SipTrunk', name: 'broken', path: 'spec.gateways[0].port' },
    );
  });

  it('reports YAML syntax errors instead of throwing', () => {
    const r = parseManifests('---\napiVersion: v1\nkind: [unclosed\n');
    assert.equal(r.errors.length > 0, true);
    assert.match(r.errors[0]!.message, /^YAML: /);
  });

  it('rejects documents that are not objects and unknown voicefleet kinds', () => {
    const r = parseManifests(
      '- a\n- b\n---\napiVersion: voicefleet.io/v1\nkind: VoiceAgent\nmetadata: {name: x}\n---\n',
    );
    assert.deepEqual(
      r.errors.map((e) => [e.document, e.path]),
      [
        [0, ''],
        [1, 'apiVersion'],
      ],
    );
  });
});
