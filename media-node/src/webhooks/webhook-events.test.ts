import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallEvent } from '../core/call-events.js';
import { maskPhoneNumbers } from '../lib/mask.js';
import { WebhookEventMapper, latencySummary } from './webhook-events.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const callId = 'c1';

function run(events: CallEvent[]) {
  const mapper = new WebhookEventMapper();
  return events.flatMap((e) => mapper.map(e));
}

describe('WebhookEventMapper', () => {
  it('makes started, answered, one turn per exchange with both sides, and ended with a summary', () => {
    const out = run([
      { type: 'call.ringing', callId, direction: 'inbound', at: at(0) },
      { type: 'call.started', callId, direction: 'inbound', setupMs: 12, at: at(1) },
      { type: 'transcript', callId, role: 'agent', text: 'Hello, how can I help?', at: at(2) },
      { type: 'transcript', callId, role: 'caller', text: 'when do you open', at: at(5) },
      { type: 'turn', callId, timings: { sttFinalMs: 200, firstRtpMs: 400 }, at: at(6) },
      { type: 'transcript', callId, role: 'agent', text: 'At nine.', at: at(7) },
      { type: 'transcript', callId, role: 'caller', text: 'and sunday', at: at(9) },
      { type: 'turn', callId, timings: { firstRtpMs: 600 }, at: at(10) },
      { type: 'transcript', callId, role: 'agent', text: 'Closed.', at: at(11) },
      { type: 'call.ended', callId, reason: 'remote-bye', at: at(31) },
    ]);
    assert.deepEqual(
      out.map((e) => e.type),
      ['call.started', 'call.answered', 'turn', 'turn', 'turn', 'call.ended'],
    );
    assert.deepEqual(out[1]!.data, { direction: 'inbound', setupMs: 12 });
    assert.deepEqual(out[2]!.data, { index: 1, agent: 'Hello, how can I help?' });
    assert.deepEqual(out[3]!.data, {
      index: 2,
      caller: 'when do you open',
      agent: 'At nine.',
      timings: { sttFinalMs: 200, firstRtpMs: 400 },
    });
    assert.deepEqual(out[5]!.data, {
      reason: 'remote-bye',
      durationMs: 30_000,
      turns: { count: 3, firstRtpMs: { p50: 400, p95: 600, max: 600 } },
    });
  });

  it('an outbound call nobody answered: started, then ended with the result and the SIP status', () => {
    const out = run([
      { type: 'call.ringing', callId, direction: 'outbound', at: at(0) },
      { type: 'call.ended', callId, reason: 'busy', sipStatus: 486, at: at(4) },
    ]);
    assert.deepEqual(
      out.map((e) => [e.type, e.data]),
      [
        ['call.started', { direction: 'outbound' }],
        ['call.ended', { reason: 'busy', sipStatus: 486, durationMs: 4000, turns: { count: 0 } }],
      ],
    );
  });

  it('sends a caller turn the agent never answered on its own, at the next caller turn or the end', () => {
    const out = run([
      { type: 'call.started', callId, direction: 'inbound', at: at(0) },
      { type: 'transcript', callId, role: 'caller', text: 'first', at: at(1) },
      { type: 'transcript', callId, role: 'caller', text: 'second', at: at(2) },
      { type: 'call.ended', callId, reason: 'remote-bye', at: at(3) },
    ]);
    assert.deepEqual(
      out.filter((e) => e.type === 'turn').map((e) => e.data),
      [
        { index: 1, caller: 'first' },
        { index: 2, caller: 'second' },
      ],
    );
  });

  it('waits for the timings of an answer whose text was complete before its first RTP packet', () => {
    const out = run([
      { type: 'transcript', callId, role: 'caller', text: 'hours', at: at(0) },
      { type: 'transcript', callId, role: 'agent', text: 'Nine to five.', at: at(1) },
      { type: 'turn', callId, timings: { firstRtpMs: 300 }, at: at(2) },
    ]);
    assert.deepEqual(out, [
      {
        type: 'turn',
        callId,
        at: at(2),
        data: { index: 1, caller: 'hours', agent: 'Nine to five.', timings: { firstRtpMs: 300 } },
      },
    ]);
  });

  it('reports a transfer with its outcome and SIP status', () => {
    const [e] = run([
      {
        type: 'call.transferred',
        callId,
        method: 'refer',
        target: 'sip:+*******0199@127.0.0.1',
        outcome: 'rejected',
        sipStatus: 603,
        at: at(0),
      },
    ]);
    assert.deepEqual(e, {
      type: 'call.transferred',
      callId,
      at: at(0),
      data: {
        method: 'refer',
        target: 'sip:+*******0199@127.0.0.1',
        outcome: 'rejected',
        sipStatus: 603,
      },
    });
  });

  it('masks phone numbers in what either side said', () => {
    const out = run([
      { type: 'transcript', callId, role: 'caller', text: 'call me on +1 415 555 0123', at: at(0) },
      { type: 'transcript', callId, role: 'agent', text: 'Calling 4155550123 now', at: at(1) },
      { type: 'turn', callId, timings: {}, at: at(2) },
    ]);
    assert.deepEqual(out[0]!.data, {
      index: 1,
      caller: 'call me on +* *** *** 0123',
      agent: 'Calling ******0123 now',
      timings: {},
    });
  });

  it('forgets a call once it ended', () => {
    const mapper = new WebhookEventMapper();
    mapper.map({ type: 'transcript', callId, role: 'caller', text: 'hi', at: at(0) });
    mapper.map({ type: 'call.ended', callId, reason: 'remote-bye', at: at(1) });
    const again = mapper.map({ type: 'call.ended', callId, reason: 'remote-bye', at: at(2) });
    assert.deepEqual(
      again.map((e) => e.type),
      ['call.ended'],
    );
  });
});

describe('latencySummary', () => {
  const cases: [number[], ReturnType<typeof latencySummary>][] = [
    [[], undefined],
    [[500], { p50: 500, p95: 500, max: 500 }],
    [[300, 100, 200, 400], { p50: 200, p95: 400, max: 400 }],
  ];
  for (const [values, want] of cases) {
    it(`summarises [${values.join(', ')}]`, () => assert.deepEqual(latencySummary(values), want));
  }
});

describe('maskPhoneNumbers', () => {
  const cases: [string, string][] = [
    ['+14155550199', '+*******0199'],
    ['sip:+14155550199@127.0.0.1:5060', 'sip:+*******0199@127.0.0.1:5060'],
    ['at 10:30 on day 12', 'at 10:30 on day 12'],
    ['(415) 555-0123', '(***) ***-0123'],
  ];
  for (const [text, want] of cases) {
    it(`masks ${JSON.stringify(text)}`, () => assert.equal(maskPhoneNumbers(text), want));
  }
});
