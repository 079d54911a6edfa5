import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('reads flags, with env as fallback and defaults for the rest', () => {
    const c = parseConfig(['--regions', 'us-east-1,eu-west-1', '--multi-region-cluster'], {
      VOICEFLEET_NAMESPACE: 'voice',
    });
    assert.deepEqual(c.regions, ['us-east-1', 'eu-west-1']);
    assert.equal(c.namespace, 'voice');
    assert.equal(c.multiRegionCluster, true);
    assert.equal(c.kubeconfig, undefined);
    assert.equal(c.metricsPort, 8080);
    assert.equal(c.leaderElection, true);
  });

  const bad: [string, string[], RegExp][] = [
    ['asks for regions when none are given', [], /set --regions/],
    ['names a malformed region', ['--regions', 'US_East'], /"US_East" is not a region name/],
    [
      'names a bad port',
      ['--regions', 'a', '--metrics-port', 'x'],
      /--metrics-port must be an integer/,
    ],
    ['names an unknown flag', ['--regions', 'a', '--bogus'], /bogus/],
  ];
  for (const [name, argv, message] of bad) {
    it(name, () =>
      assert.throws(
        () => parseConfig(argv, {}),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      ),
    );
  }
});
