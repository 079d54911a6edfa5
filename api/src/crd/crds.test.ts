import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { celCheck } from '../schema/cel.js';
import { CRD_DIRS, renderCrdFiles, sipTrunkCrd, voiceAgentCrd } from './crds.js';

const root = new URL('../../../', import.meta.url);

type Node = Record<string, unknown>;
function* nodes(n: unknown, path = ''): Generator<[string, Node]> {
  if (typeof n !== 'object' || n === null) return;
  if (Array.isArray(n)) {
    for (const [i, v] of n.entries()) yield* nodes(v, `${path}[${i}]`);
    return;
  }
  yield [path, n as Node];
  for (const [k, v] of Object.entries(n)) yield* nodes(v, `${path}.${k}`);
}

describe('generated CRDs', () => {
  for (const dir of CRD_DIRS) {
    for (const [name, text] of renderCrdFiles()) {
      it(`${dir}/${name} is up to date`, () => {
        let onDisk = '';
        try {
          onDisk = readFileSync(new URL(`${dir}/${name}`, root), 'utf8');
        } catch {
          // missing counts as stale
        }
        assert.ok(onDisk === text, `${dir}/ is stale: run npm run generate`);
      });
    }
  }

  for (const crd of [voiceAgentCrd(), sipTrunkCrd()]) {
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;

    it(`${crd.metadata.name} is a structural schema without JSON Schema leftovers`, () => {
      for (const [path, n] of nodes(schema)) {
        for (const bad of ['anyOf', 'const', 'patternProperties', '$id', 'uniqueItems'])
          assert.ok(!(bad in n), `${path} has ${bad}`);
        assert.ok(n.additionalProperties !== false, `${path} has additionalProperties: false`);
      }
    });

    it(`${crd.metadata.name}: list-map keys are required and lists/strings under CEL are bounded`, () => {
      for (const [path, n] of nodes(schema)) {
        if (n['x-kubernetes-list-type'] === 'map') {
          const items = n.items as Node;
          for (const key of n['x-kubernetes-list-map-keys'] as string[])
            assert.ok(
              (items.required as string[]).includes(key),
              `${path}: key ${key} not required`,
            );
        }
        if (n['x-kubernetes-validations'] && n.type === 'string')
          assert.ok(n.maxLength, `${path} needs maxLength`);
        if (n.type === 'array' && n.properties === undefined && path.includes('.spec.')) {
          if (n['x-kubernetes-list-type']) assert.ok(n.maxItems, `${path} needs maxItems`);
        }
      }
    });

    it(`${crd.metadata.name}: every CEL rule has a TypeScript twin and a message`, () => {
      let rules = 0;
      for (const [, n] of nodes(schema)) {
        for (const r of (n['x-kubernetes-validations'] ?? []) as {
          rule: string;
          message: string;
        }[]) {
          rules++;
          assert.ok(celCheck(r.rule), `no twin for ${r.rule}`);
          assert.ok(r.message.length > 10);
        }
      }
      assert.ok(rules > 0);
    });

    it(`${crd.metadata.name}: every field has a description for kubectl explain`, () => {
      for (const [path, n] of nodes(schema.properties.spec)) {
        if (
          !path.endsWith('.properties') &&
          typeof n.type === 'string' &&
          n.type !== 'array' &&
          !path.endsWith('.items')
        )
          assert.ok(
            typeof n.description === 'string' && n.description.length > 0,
            `${path} lacks a description`,
          );
      }
    });
  }

  it('has status subresources, printer columns, short names and the voicefleet category', () => {
    const va = voiceAgentCrd();
    const st = sipTrunkCrd();
    assert.deepEqual(va.spec.versions[0]!.subresources, { status: {} });
    assert.deepEqual(
      va.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name),
      ['Ready', 'Regions', 'Calls', 'Age'],
    );
    assert.deepEqual(
      st.spec.versions[0]!.additionalPrinterColumns.map((c) => c.name),
      ['Ready', 'Gateways Up', 'Age'],
    );
    assert.deepEqual([va.spec.names.shortNames, st.spec.names.shortNames], [['va'], ['st']]);
    assert.deepEqual(va.spec.names.categories, ['voicefleet']);
  });
});
