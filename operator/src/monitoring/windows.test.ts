import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promDuration, sloWindows } from './windows.js';

describe('sloWindows', () => {
  const cases: [string, number, string, string[], string[][]][] = [
    [
      "keeps the SRE workbook's windows for a 30-day budget",
      30,
      '30d',
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d'],
      [
        ['critical', '1h', '5m', '14.4'],
        ['critical', '6h', '30m', '6'],
        ['warning', '1d', '2h', '3'],
        ['warning', '3d', '6h', '1'],
      ],
    ],
    [
      'scales every window to a 7-day budget and keeps the burn rates',
      7,
      '7d',
      ['70s', '7m', '14m', '28m', '84m', '336m', '1008m'],
      [
        ['critical', '14m', '70s', '14.4'],
        ['critical', '84m', '7m', '6'],
        ['warning', '336m', '28m', '3'],
        ['warning', '1008m', '84m', '1'],
      ],
    ],
    [
      'scales up to a 90-day budget',
      90,
      '90d',
      ['15m', '90m', '3h', '6h', '18h', '3d', '9d'],
      [
        ['critical', '3h', '15m', '14.4'],
        ['critical', '18h', '90m', '6'],
        ['warning', '3d', '6h', '3'],
        ['warning', '9d', '18h', '1'],
      ],
    ],
  ];
  for (const [name, days, budget, alerting, alerts] of cases) {
    it(name, () => {
      const w = sloWindows(days);
      assert.equal(w.budget, budget);
      assert.deepEqual(w.alerting, alerting);
      assert.deepEqual(
        w.alerts.map((a) => [a.severity, a.longWindow, a.shortWindow, String(a.burnRate)]),
        alerts,
      );
    });
  }

  it('spends 2%, 5%, 10% and 10% of the budget in each long window at its burn rate', () => {
    assert.deepEqual(
      sloWindows(30).alerts.map((a) => Math.round(a.budgetSpent * 1000) / 10),
      [2, 5, 10, 10],
    );
  });
});

describe('promDuration', () => {
  const cases: [number, string][] = [
    [300, '5m'],
    [3600, '1h'],
    [90, '90s'],
    [86400 * 3, '3d'],
    [5400, '90m'],
  ];
  for (const [seconds, want] of cases)
    it(`writes ${seconds} s as ${want}`, () => assert.equal(promDuration(seconds), want));

  it('refuses a window that is not a positive whole number of seconds', () => {
    assert.throws(() => promDuration(0), RangeError);
    assert.throws(() => promDuration(1.5), RangeError);
  });
});
