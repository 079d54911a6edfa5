import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientInviteTransaction } from './client-invite-transaction.js';
import { ClientNonInviteTransaction } from './client-non-invite-transaction.js';
import type { ValidResponse } from './message.js';
import { ServerInviteTransaction } from './server-invite-transaction.js';
import { ServerNonInviteTransaction } from './server-non-invite-transaction.js';
import { ManualClock } from '../../../test/harness/manual-clock.js';
import { DEFAULT_TIMER_VALUES } from './timers.js';
import type { TransactionContext } from './transaction-context.js';

function harness(reliable: boolean) {
  const clock = new ManualClock();
  const sent: Array<{ at: number; data: string }> = [];
  let terminatedAt: number | undefined;
  const ctx: TransactionContext = {
    send: (d) => sent.push({ at: clock.now(), data: d.toString() }),
    reliable,
    timers: clock,
    values: DEFAULT_TIMER_VALUES,
    onTerminated: () => (terminatedAt = clock.now()),
  };
  return { clock, sent, ctx, terminated: () => terminatedAt };
}

const res = (status: number) => ({ status }) as ValidResponse;
const times = (sent: Array<{ at: number }>) => sent.map((s) => s.at);

describe('client INVITE transaction', () => {
  const cases: Array<{ name: string; reliable: boolean; sends: number[]; timeoutAt: number }> = [
    {
      name: 'UDP: Timer A doubles from T1, Timer B gives up at 64*T1',
      reliable: false,
      sends: [0, 500, 1500, 3500, 7500, 15500, 31500],
      timeoutAt: 32000,
    },
    {
      name: 'TCP: no retransmission, Timer B still applies',
      reliable: true,
      sends: [0],
      timeoutAt: 32000,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness(c.reliable);
      let timedOut: number | undefined;
      const tx = new ClientInviteTransaction(h.ctx, Buffer.from('INVITE'), {
        onResponse: () => assert.fail('no response expected'),
        onTimeout: () => (timedOut = h.clock.now()),
        ackFor: () => Buffer.from('ACK'),
      });
      tx.start();
      h.clock.advance(40_000);
      assert.deepEqual(times(h.sent), c.sends);
      assert.equal(timedOut, c.timeoutAt);
      assert.equal(tx.state, 'terminated');
    });
  }

  it('a provisional stops Timer A; a 486 is ACKed, and re-ACKed while Timer D runs', () => {
    const h = harness(false);
    const got: number[] = [];
    const tx = new ClientInviteTransaction(h.ctx, Buffer.from('INVITE'), {
      onResponse: (r) => got.push(r.status),
      onTimeout: () => assert.fail('no timeout'),
      ackFor: () => Buffer.from('ACK'),
    });
    tx.start();
    h.clock.advance(600);
    tx.receiveResponse(res(180));
    h.clock.advance(10_000);
    assert.deepEqual(
      h.sent.map((s) => s.data),
      ['INVITE', 'INVITE'],
    );
    tx.receiveResponse(res(486));
    tx.receiveResponse(res(486));
    assert.deepEqual(h.sent.map((s) => s.data).slice(2), ['ACK', 'ACK']);
    assert.deepEqual(got, [180, 486]);
    h.clock.advance(31_999);
    assert.equal(tx.state, 'completed');
    h.clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('2xx and its retransmissions go to the TU until Timer M', () => {
    const h = harness(false);
    const got: number[] = [];
    const tx = new ClientInviteTransaction(h.ctx, Buffer.from('INVITE'), {
      onResponse: (r) => got.push(r.status),
      onTimeout: () => assert.fail('no timeout'),
      ackFor: () => Buffer.from('ACK'),
    });
    tx.start();
    tx.receiveResponse(res(200));
    tx.receiveResponse(res(200));
    assert.deepEqual(got, [200, 200]);
    assert.equal(h.sent.length, 1, 'the transaction does not ACK a 2xx itself');
    h.clock.advance(32_000);
    assert.equal(tx.state, 'terminated');
  });
});

describe('client non-INVITE transaction', () => {
  it('UDP: Timer E doubles to T2, Timer F at 64*T1', () => {
    const h = harness(false);
    let timedOut: number | undefined;
    const tx = new ClientNonInviteTransaction(h.ctx, Buffer.from('BYE'), {
      onResponse: () => assert.fail('none'),
      onTimeout: () => (timedOut = h.clock.now()),
    });
    tx.start();
    h.clock.advance(40_000);
    assert.deepEqual(
      times(h.sent),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(timedOut, 32_000);
  });

  it('after a provisional, retransmits every T2; Timer K absorbs for T4 after the final', () => {
    const h = harness(false);
    const tx = new ClientNonInviteTransaction(h.ctx, Buffer.from('BYE'), {
      onResponse: () => undefined,
      onTimeout: () => assert.fail('none'),
    });
    tx.start();
    tx.receiveResponse(res(100));
    h.clock.advance(9_000);
    assert.deepEqual(times(h.sent), [0, 500, 4500, 8500]);
    tx.receiveResponse(res(200));
    h.clock.advance(4_999);
    assert.equal(tx.state, 'completed');
    h.clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('TCP: single send, terminates at once after the final', () => {
    const h = harness(true);
    const tx = new ClientNonInviteTransaction(h.ctx, Buffer.from('BYE'), {
      onResponse: () => undefined,
      onTimeout: () => assert.fail('none'),
    });
    tx.start();
    h.clock.advance(10_000);
    tx.receiveResponse(res(200));
    h.clock.advance(0);
    assert.equal(h.sent.length, 1);
    assert.equal(tx.state, 'terminated');
  });
});

describe('server INVITE transaction', () => {
  it('UDP non-2xx: Timer G doubles to T2 until ACK, then Timer I absorbs for T4', () => {
    const h = harness(false);
    const tx = new ServerInviteTransaction(h.ctx, () => assert.fail('no ack timeout'));
    tx.respond(486, Buffer.from('486'));
    h.clock.advance(8_000);
    assert.deepEqual(times(h.sent), [0, 500, 1500, 3500, 7500]);
    tx.receiveInvite();
    assert.equal(h.sent.length, 6, 'a retransmitted INVITE gets the final again');
    tx.receiveAck();
    assert.equal(tx.state, 'confirmed');
    h.clock.advance(5_000);
    assert.equal(h.sent.length, 6);
    assert.equal(h.terminated(), 13_000);
  });

  it('UDP non-2xx without ACK: Timer H ends it at 64*T1', () => {
    const h = harness(false);
    const tx = new ServerInviteTransaction(h.ctx, () => undefined);
    tx.respond(503, Buffer.from('503'));
    h.clock.advance(40_000);
    assert.deepEqual(
      times(h.sent),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(h.terminated(), 32_000);
  });

  it('UDP 2xx: retransmitted until the ACK, Timer H reports a missing ACK', () => {
    const h = harness(false);
    let ackTimeout: number | undefined;
    const tx = new ServerInviteTransaction(h.ctx, () => (ackTimeout = h.clock.now()));
    tx.respond(180, Buffer.from('180'));
    tx.receiveInvite();
    assert.deepEqual(
      h.sent.map((s) => s.data),
      ['180', '180'],
    );
    tx.respond(200, Buffer.from('200'));
    h.clock.advance(40_000);
    assert.equal(h.sent.filter((s) => s.data === '200').length, 11);
    assert.equal(ackTimeout, 32_000);
  });

  it('2xx ACKed: stops retransmitting and absorbs late INVITEs for Timer L', () => {
    const h = harness(false);
    const tx = new ServerInviteTransaction(h.ctx, () => assert.fail('acked'));
    tx.respond(200, Buffer.from('200'));
    h.clock.advance(600);
    tx.ack2xx();
    tx.receiveInvite();
    h.clock.advance(10_000);
    assert.equal(h.sent.length, 2);
    assert.equal(tx.state, 'confirmed');
    h.clock.advance(32_000);
    assert.equal(tx.state, 'terminated');
  });

  it('TCP: no retransmission of the final response', () => {
    const h = harness(true);
    const tx = new ServerInviteTransaction(h.ctx, () => undefined);
    tx.respond(486, Buffer.from('486'));
    h.clock.advance(10_000);
    assert.equal(h.sent.length, 1);
    tx.receiveAck();
    h.clock.advance(0);
    assert.equal(tx.state, 'terminated');
  });
});

describe('server transactions let go of their request once settled', () => {
  const settled = (ctx: TransactionContext) => {
    const at: string[] = [];
    return { ctx: { ...ctx, onSettled: () => at.push('settled') }, at };
  };

  it('INVITE: a failure at once, a 2xx only with its ACK', () => {
    const failed = settled(harness(false).ctx);
    const rejected = new ServerInviteTransaction(failed.ctx, () => undefined);
    rejected.respond(180, Buffer.from('180'));
    assert.deepEqual(failed.at, [], 'still ringing');
    rejected.respond(486, Buffer.from('486'));
    assert.deepEqual(failed.at, ['settled']);
    const ok = settled(harness(false).ctx);
    const answered = new ServerInviteTransaction(ok.ctx, () => undefined);
    answered.respond(200, Buffer.from('200'));
    assert.deepEqual(ok.at, [], 'the TU hears of a missing ACK through the INVITE');
    answered.ack2xx();
    assert.deepEqual(ok.at, ['settled']);
  });

  it('non-INVITE: with the final response', () => {
    const h = settled(harness(false).ctx);
    const tx = new ServerNonInviteTransaction(h.ctx);
    tx.respond(100, Buffer.from('100'));
    assert.deepEqual(h.at, []);
    tx.respond(200, Buffer.from('200'));
    tx.respond(200, Buffer.from('200'));
    assert.deepEqual(h.at, ['settled']);
  });
});

describe('server non-INVITE transaction', () => {
  for (const [name, reliable, endAt] of [
    ['UDP: Timer J keeps the final for 64*T1', false, 32_000],
    ['TCP: Timer J is zero', true, 0],
  ] as const) {
    it(name, () => {
      const h = harness(reliable);
      const tx = new ServerNonInviteTransaction(h.ctx);
      tx.receiveRequest();
      assert.equal(h.sent.length, 0, 'nothing to repeat before a response');
      tx.respond(200, Buffer.from('200'));
      tx.receiveRequest();
      assert.equal(h.sent.length, 2, 'a retransmitted request gets the final again');
      h.clock.advance(40_000);
      assert.equal(h.terminated(), endAt);
    });
  }
});
