import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leRegex, promNumber, selector } from './promql.js';

describe('selector', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['quotes values', { namespace: 'default', agent: 'a' }, '{namespace="default",agent="a"}'],
    ['keeps a regex operator', { 'code=~': '5..|408' }, '{code=~"5..|408"}'],
    ['escapes quotes and backslashes', { x: 'a"b\\c' }, '{x="a\\"b\\\\c"}'],
  ];
  for (const [name, matchers, want] of cases)
    it(name, () => assert.equal(selector(matchers), want));
});

describe('leRegex', () => {
  const cases: [number, string, string[], string[]][] = [
    [1, '1(\\.0)?', ['1', '1.0'], ['10', '0.1', '1.5']],
    [0.3, '0\\.3', ['0.3'], ['0x3', '0.35', '3']],
    [10, '10(\\.0)?', ['10', '10.0'], ['1', '100']],
  ];
  for (const [seconds, want, matches, misses] of cases)
    it(`matches the bucket ${seconds} as prom-client and Prometheus 3 write it`, () => {
      const text = leRegex(seconds);
      assert.equal(text, want);
      // PromQL anchors label regexes at both ends.
      const re = new RegExp(`^(?:${text})$`);
      for (const m of matches) assert.ok(re.test(m), m);
      for (const m of misses) assert.ok(!re.test(m), m);
    });
});

describe('promNumber', () => {
  it('drops binary noise', () => {
    assert.equal(promNumber(1 - 0.999), '0.001');
    assert.equal(promNumber(1 - 0.99999), '0.00001');
    assert.equal(promNumber(14.4), '14.4');
  });
});
