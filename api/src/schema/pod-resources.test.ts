import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalQuantity, quantityValue } from './pod-resources.js';

test('quantityValue reads every suffix the schema admits', () => {
  const cases: [string, number][] = [
    ['250m', 0.25],
    ['0.5', 0.5],
    ['2', 2],
    ['.5', 0.5],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1500k', 1.5e6],
    ['100n', 1e-7],
  ];
  for (const [q, v] of cases) assert.ok(Math.abs(quantityValue(q) - v) < 1e-12 * v, q);
});

test('canonicalQuantity writes what the API server stores', () => {
  const cases: [string, string][] = [
    ['0.5', '500m'],
    ['1500m', '1500m'],
    ['1000m', '1'],
    ['2', '2'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['512Mi', '512Mi'],
    ['1e3', '1k'],
    ['1000M', '1G'],
    ['128974848', '128974848'],
  ];
  for (const [q, c] of cases) assert.equal(canonicalQuantity(q), c, q);
});
