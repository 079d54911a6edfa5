import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ENDED, OutboundCalls, RETAIN_MS, resultOfStatus } from './outbound-calls.js';

function clock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('OutboundCalls', () => {
  it('follows a call from dialing through ringing and its answer to its end', () => {
    const c = clock();
    const calls = new OutboundCalls(c.now);
    calls.dialing('a');
    assert.equal(calls.get('a')?.state, 'dialing');
    c.advance(500);
    calls.ringing('a');
    c.advance(2000);
    calls.answered('a');
    c.advance(60_000);
    calls.ended('a', { result: 'completed', endReason: 'remote-bye' });
    assert.deepEqual(calls.get('a'), {
      callId: 'a',
      state: 'ended',
      createdAt: '2026-01-01T00:00:00.000Z',
      ringingAt: '2026-01-01T00:00:00.500Z',
      answeredAt: '2026-01-01T00:00:02.500Z',
      endedAt: '2026-01-01T00:01:02.500Z',
      result: 'completed',
      endReason: 'remote-bye',
    });
  });

  it('keeps the first end: a late answer or a second end changes nothing', () => {
    const calls = new OutboundCalls(clock().now);
    calls.dialing('b');
    calls.ended('b', { result: 'busy', sipStatus: 486 });
    calls.answered('b');
    calls.ended('b', { result: 'cancelled' });
    assert.deepEqual(
      [calls.get('b')?.state, calls.get('b')?.result, calls.get('b')?.sipStatus],
      ['ended', 'busy', 486],
    );
  });

  it('a provisional response after the answer does not move it back to ringing', () => {
    const calls = new OutboundCalls(clock().now);
    calls.dialing('c');
    calls.answered('c');
    calls.ringing('c');
    assert.equal(calls.get('c')?.state, 'answered');
  });

  it('returns copies: a reader cannot change what it holds', () => {
    const calls = new OutboundCalls(clock().now);
    calls.dialing('d');
    const view = calls.get('d');
    assert.ok(view);
    view.state = 'ended';
    assert.equal(calls.get('d')?.state, 'dialing');
  });

  it('forgets ended calls after RETAIN_MS and beyond MAX_ENDED, never a call still going', () => {
    const c = clock();
    const calls = new OutboundCalls(c.now);
    calls.dialing('live');
    calls.dialing('old');
    calls.ended('old', { result: 'no-answer', sipStatus: 480 });
    c.advance(RETAIN_MS + 1);
    assert.equal(calls.get('old'), undefined);
    for (let i = 0; i <= MAX_ENDED; i++) {
      calls.dialing(`n${i}`);
      calls.ended(`n${i}`, { result: 'failed', sipStatus: 404 });
    }
    calls.dialing('next');
    assert.equal(calls.get('n0'), undefined, 'the oldest ended call beyond MAX_ENDED');
    assert.equal(calls.get('n1')?.result, 'failed');
    assert.equal(calls.get('live')?.state, 'dialing');
  });
});

describe('resultOfStatus', () => {
  for (const [status, result] of [
    [486, 'busy'],
    [600, 'busy'],
    [480, 'no-answer'],
    [408, 'no-answer'],
    [603, 'declined'],
    [403, 'declined'],
    [487, 'cancelled'],
    [404, 'failed'],
    [503, 'failed'],
  ] as const) {
    it(`${status} -> ${result}`, () => assert.equal(resultOfStatus(status), result));
  }
});
