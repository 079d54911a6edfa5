import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaNodeConfigError, loadMediaNodeConfig } from './media-node-config.js';

const MINIMAL = `
agent: { namespace: default, name: front-desk }
region: us-east-1
edge: { uri: "sip:127.0.0.1:5060" }
pipeline:
  llm:
    provider: scripted
    script:
      fallback: Sorry?
      intents: [{ name: bye, examples: [goodbye], reply: Goodbye, action: hangup }]
`;

function issues(text: string, env: Record<string, string> = {}): string[] {
  try {
    loadMediaNodeConfig(text, env);
  } catch (e) {
    assert.ok(e instanceof MediaNodeConfigError, String(e));
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected an error');
}

describe('loadMediaNodeConfig', () => {
  it('fills the documented defaults', () => {
    const c = loadMediaNodeConfig(MINIMAL);
    assert.deepEqual(c.sip, { host: '0.0.0.0', port: 5060, advertisedHost: '' });
    assert.deepEqual(c.rtp, { host: '0.0.0.0', portMin: 20000, portMax: 29999 });
    assert.deepEqual(c.http, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(c.metrics, { host: '0.0.0.0', port: 9464 });
    assert.equal(c.capacity.maxCalls, 50);
    assert.deepEqual(c.codecs, ['PCMU', 'PCMA']);
    assert.equal(c.media.timeoutSeconds, 30);
    assert.equal(c.drain.deadlineSeconds, 3600);
    assert.equal(c.pipeline.vad.endOfTurnMs, 500);
    assert.deepEqual(c.pipeline.bargeIn, { minSpeechMs: 300, greetingInterruptible: true });
  });

  it('lets the environment override ports and the advertised host', () => {
    const c = loadMediaNodeConfig(MINIMAL, {
      VOICEFLEET_SIP_PORT: '5070',
      VOICEFLEET_HTTP_PORT: '0',
      VOICEFLEET_METRICS_PORT: '9100',
      VOICEFLEET_ADVERTISED_HOST: '127.0.0.2',
      VOICEFLEET_RTP_PORT_MIN: '30000',
      VOICEFLEET_RTP_PORT_MAX: '30100',
    });
    assert.deepEqual(
      [c.sip.port, c.http.port, c.metrics.port, c.sip.advertisedHost],
      [5070, 0, 9100, '127.0.0.2'],
    );
    assert.deepEqual([c.rtp.portMin, c.rtp.portMax], [30000, 30100]);
  });

  const bad: [string, string, Record<string, string>, RegExp][] = [
    [
      'a non-numeric port in the environment',
      MINIMAL,
      { VOICEFLEET_SIP_PORT: 'five' },
      /^sip\.port: VOICEFLEET_SIP_PORT must be a port number/,
    ],
    [
      'a port above 65535',
      MINIMAL,
      { VOICEFLEET_HTTP_PORT: '70000' },
      /^http\.port: .*less than or equal to 65535/,
    ],
    [
      'rtp portMin above portMax',
      MINIMAL + 'rtp: { portMin: 30000, portMax: 20000 }\n',
      {},
      /^rtp\.portMin: portMin must be less than or equal to portMax/,
    ],
    ['a missing agent', MINIMAL.replace(/agent:.*\n/, ''), {}, /^agent: Required value/],
    ['an unknown key', MINIMAL + 'sipp: {}\n', {}, /^sipp: unknown field/],
    [
      'a grpc tts without endpoint',
      MINIMAL + '  tts: { provider: grpc }\n',
      {},
      /^pipeline\.tts\.endpoint: .*endpoint is required/,
    ],
    ['not YAML', 'agent: [', {}, /^: not valid YAML/],
    ['a list instead of a mapping', '- a', {}, /^: the config must be a YAML mapping/],
  ];
  for (const [what, text, env, expected] of bad) {
    it(`explains ${what}`, () => {
      const found = issues(text, env);
      assert.ok(
        found.some((i) => expected.test(i)),
        found.join('\n'),
      );
    });
  }

  it('puts every issue in the error message', () => {
    assert.throws(
      () => loadMediaNodeConfig('region: x'),
      /agent: Required value.*edge: Required value/,
    );
  });
});
