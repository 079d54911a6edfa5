import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACCEPTED_WEBHOOK_URLS,
  REJECTION_CASES,
  agentWithWebhook,
  validAgent,
  validTrunk,
} from '../testing/rejection-cases.js';
import {
  validateSipTrunk,
  validateVoiceAgent,
  applyVoiceAgentDefaults,
  applySipTrunkDefaults,
  checkSipTrunk,
  checkVoiceAgent,
} from './validate.js';
import type { SipTrunk } from '../schema/sip-trunk.js';
import type { VoiceAgent } from '../schema/voice-agent.js';

const validate = (kind: 'VoiceAgent' | 'SipTrunk', obj: unknown) =>
  kind === 'VoiceAgent' ? validateVoiceAgent(obj) : validateSipTrunk(obj);

describe('validateVoiceAgent / validateSipTrunk', () => {
  it('accepts the minimal valid objects', () => {
    assert.deepEqual(validateVoiceAgent(validAgent()), []);
    assert.deepEqual(validateSipTrunk(validTrunk()), []);
  });

  it('accepts webhooks over https, and over plain http to loopback or a cluster-local Service', () => {
    for (const url of ACCEPTED_WEBHOOK_URLS) {
      assert.deepEqual(validateVoiceAgent(agentWithWebhook('hooks', url)), [], url);
    }
  });

  it('defaults a webhook to every event type and a queue of 1000', () => {
    const a = applyVoiceAgentDefaults(
      agentWithWebhook('hooks', ACCEPTED_WEBHOOK_URLS[0]) as unknown as VoiceAgent,
    );
    assert.deepEqual(a.spec.events?.webhooks[0]?.events, [
      'call.started',
      'call.answered',
      'turn',
      'call.transferred',
      'call.ended',
    ]);
    assert.equal(a.spec.events?.queueSize, 1000);
  });

  for (const c of REJECTION_CASES) {
    it(`rejects ${c.name} at ${c.path}`, () => {
      const errors = validate(c.kind, c.object).filter((e) => e.path !== '');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.path, c.path);
      assert.ok(errors[0]!.message.includes(c.message), errors[0]!.message);
    });
  }

  it('reports an unknown field with its path', () => {
    const a = validAgent();
    (a.spec as Record<string, unknown>).numbrs = ['+14155550100'];
    assert.deepEqual(validateVoiceAgent(a), [
      { path: 'spec.numbrs', message: 'unknown field "spec.numbrs"' },
    ]);
  });

  it('reports a wrong type and skips the CEL rules like the API server', () => {
    const a = validAgent();
    (a.spec as Record<string, unknown>).regions = [
      { name: 'x', minReplicas: 'two', maxReplicas: 1 },
    ];
    const errors = validateVoiceAgent(a);
    assert.equal(errors[0]!.path, 'spec.regions[0].minReplicas');
    assert.match(errors[0]!.message, /must be of type integer/);
    assert.ok(!errors.some((e) => e.message.includes('minReplicas must be')));
  });

  it('requires a DNS-style metadata.name', () => {
    assert.equal(validateVoiceAgent(validAgent('Front_Desk'))[0]?.path, 'metadata.name');
    const noName = validAgent();
    noName.metadata = {};
    assert.match(validateVoiceAgent(noName)[0]!.message, /Required value/);
  });

  it('reports a missing required field once, as Required value', () => {
    const t = validTrunk();
    delete (t.spec as Record<string, unknown>).gateways;
    const errors = validateSipTrunk(t);
    assert.deepEqual(errors[0], { path: 'spec.gateways', message: 'Required value' });
    assert.match(errors[1]!.message, /some validation rules were not checked/);
    assert.equal(errors.length, 2);
  });

  it('rejects things that are not objects', () => {
    assert.equal(validateVoiceAgent('front-desk').length, 1);
    assert.equal(validateSipTrunk(null).length, 1);
  });

  it('ignores status, which admission does not validate on create', () => {
    const a = { ...validAgent(), status: { activeCalls: -5 } };
    assert.deepEqual(validateVoiceAgent(a), []);
  });
});

describe('defaults', () => {
  it('fills agent defaults the way the API server stores them', () => {
    const a = applyVoiceAgentDefaults(validAgent() as unknown as VoiceAgent);
    assert.deepEqual(a.spec.codecs, ['PCMU', 'PCMA']);
    assert.deepEqual(a.spec.capacity, {
      callsPerPod: 50,
      bufferCalls: 10,
      bufferPercent: 0,
      scaleDownStabilizationSeconds: 300,
      scaling: 'operator',
    });
    assert.deepEqual(a.spec.pipeline.vad, {
      provider: 'silero',
      endOfTurnMs: 500,
      prepareAhead: true,
    });
    assert.deepEqual(a.spec.pipeline.bargeIn, { minSpeechMs: 300, greetingInterruptible: true });
    assert.equal(a.spec.drainTimeoutSeconds, 3600);
    assert.equal(a.spec.slo.turnLatencyMs, 1000);
  });

  it('fills trunk defaults: port 5060, udp, failover codes, 1 s probes', () => {
    const t = validTrunk();
    (t.spec as { gateways: object[] }).gateways = [{ name: 'a', host: 'sip.carrier.example' }];
    const d = applySipTrunkDefaults(t as unknown as SipTrunk);
    assert.deepEqual(d.spec.gateways[0], {
      name: 'a',
      host: 'sip.carrier.example',
      port: 5060,
      transport: 'udp',
      priority: 1,
      weight: 100,
    });
    assert.deepEqual(d.spec.failover, {
      responseCodes: [408, 500, 502, 503, 504],
      timeoutMs: 2000,
    });
    assert.equal(d.spec.healthCheck.intervalSeconds, 1);
  });

  it('does not modify its argument', () => {
    const a = validAgent();
    const before = JSON.stringify(a);
    applyVoiceAgentDefaults(a);
    assert.equal(JSON.stringify(a), before);
  });
});

describe('checkVoiceAgent / checkSipTrunk', () => {
  const check = (kind: 'VoiceAgent' | 'SipTrunk', obj: unknown) =>
    kind === 'VoiceAgent' ? checkVoiceAgent(obj) : checkSipTrunk(obj);

  for (const c of REJECTION_CASES) {
    it(`reports ${c.name} as validate does, as written and as stored with defaults`, () => {
      assert.deepEqual(check(c.kind, c.object).errors, validate(c.kind, c.object));
      const stored =
        c.kind === 'VoiceAgent'
          ? applyVoiceAgentDefaults(c.object)
          : applySipTrunkDefaults(c.object);
      assert.deepEqual(check(c.kind, stored).errors, validate(c.kind, stored));
    });
  }

  it('hands an object stored with its defaults back as it is, and fills them in otherwise', () => {
    const stored = applyVoiceAgentDefaults(validAgent());
    const checked = checkVoiceAgent(stored);
    assert.equal(checked.value, stored);
    assert.deepEqual(checked.errors, []);
    const manifest = validAgent();
    const filled = checkVoiceAgent(manifest);
    assert.notEqual(filled.value, manifest);
    assert.deepEqual(filled.value, stored);
  });
});
