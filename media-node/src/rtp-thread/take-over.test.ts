// The endpoint taking over an INVITE that was answered on arrival (worker/answer-on-arrival.ts):
// the 200 that left is the one it retransmits until the ACK, the ACK confirms the dialog, a
// retransmitted INVITE gets that 200 again, and an application that refuses the call hangs it up
// with BYE (the caller has the 200). The socket is in memory and the clock manual; the real
// sockets and threads are in test/media-node-answer.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALLER,
  CALLER_OFFER,
  callerRequest,
  memoryEndpoint,
} from '../../../test/harness/memory-endpoint.js';
import {
  DEFAULT_PARSE_LIMITS,
  DEFAULT_SESSION_TIMER,
  type AnsweredOnArrival,
} from '../sip/index.js';
import { answerableInvite, writeArrivalAnswer } from './worker/answer-on-arrival.js';

async function harness() {
  const { ep, clock, sent, invites, deliver } = await memoryEndpoint();
  let discarded = 0;
  /** An INVITE as the RTP thread hands it over: the responses it sent and its media attached. */
  const arrive = (callId: string) => {
    const data = callerRequest({ method: 'INVITE', callId, cseq: 1, body: CALLER_OFFER });
    const config = {
      contact: ep.contact('udp'),
      limits: DEFAULT_PARSE_LIMITS,
      codecs: ['PCMU'],
      mediaAddress: '127.0.0.1',
      sessionTimer: DEFAULT_SESSION_TIMER,
    };
    const answer = writeArrivalAnswer(
      answerableInvite(data, config)!,
      { ...CALLER, transport: 'udp' },
      41000,
      config,
      { toTag: `tag-${callId}`, sdpSessionId: 7 },
    );
    const answered: AnsweredOnArrival = {
      toTag: answer.toTag,
      responses: answer.responses,
      receivedAt: 0,
      answeredAt: 1,
      media: { opaque: true },
      discard: () => discarded++,
    };
    deliver(data, CALLER.address, CALLER.port, answered);
    return { data, ok: answer.responses[2].toString('latin1'), toTag: answer.toTag };
  };
  const ack = (callId: string, toTag: string) =>
    deliver(callerRequest({ method: 'ACK', callId, cseq: 1, toTag }), CALLER.address, CALLER.port);
  return { clock, sent, ep, invites, arrive, ack, deliver, discarded: () => discarded };
}

describe('SipEndpoint: an INVITE answered on arrival', () => {
  it('is handed to the application answered, and sends nothing the thread sent already', async () => {
    const h = await harness();
    h.arrive('a');
    assert.equal(h.invites.length, 1);
    assert.deepEqual(h.invites[0]!.answered?.media, { opaque: true });
    h.invites[0]!.accept('').catch(() => undefined); // the endpoint closes before any ACK
    h.invites[0]!.progress(); // no second 180
    assert.deepEqual(h.sent, [], 'the 100, 180 and 200 left from the thread');
    await h.ep.close();
  });

  it('retransmits the 200 that left until the ACK, which confirms the dialog', async () => {
    const h = await harness();
    const { ok, toTag } = h.arrive('b');
    const dialog = h.invites[0]!.accept('');
    h.clock.advance(500 + 1000 + 10); // T1, then 2*T1
    assert.deepEqual(h.sent, [ok, ok], 'the same bytes, at T1 and 2*T1');
    h.ack('b', toTag);
    const confirmed = await dialog;
    assert.equal(confirmed.callId, 'b');
    h.clock.advance(10_000);
    assert.equal(h.sent.length, 2, 'no retransmission after the ACK');
    await h.ep.close();
  });

  it('answers a retransmitted INVITE with that 200, and hands the call over once', async () => {
    const h = await harness();
    const { data, ok } = h.arrive('c');
    h.invites[0]!.accept('').catch(() => undefined); // the endpoint closes before any ACK
    h.deliver(data, CALLER.address, CALLER.port);
    assert.deepEqual(h.sent, [ok]);
    assert.equal(h.invites.length, 1);
    await h.ep.close();
  });

  it('a copy that comes answered for a transaction the endpoint has is a retransmission', async () => {
    const h = await harness();
    const { ok } = h.arrive('d');
    h.invites[0]!.accept('').catch(() => undefined); // the endpoint closes before any ACK
    h.arrive('d');
    assert.equal(h.discarded(), 1, 'the second answer’s media is given up');
    assert.equal(h.invites.length, 1);
    assert.deepEqual(h.sent, [ok]);
    await h.ep.close();
  });

  it('refused by the application, the call is hung up with BYE once the caller ACKs', async () => {
    const h = await harness();
    const { toTag } = h.arrive('e');
    h.invites[0]!.reject(503, undefined, [['retry-after', '5']]);
    assert.equal(h.discarded(), 1, 'its media closed at once');
    assert.ok(!h.sent.some((m) => m.startsWith('SIP/2.0 503')), 'no 503 after a 200');
    h.ack('e', toTag);
    await new Promise((resolve) => setImmediate(resolve));
    const bye = h.sent.find((m) => m.startsWith('BYE '));
    assert.ok(bye, `a BYE; sent: ${h.sent.map((m) => m.split('\r\n')[0]).join(', ')}`);
    assert.match(bye, /^Call-ID: e$/m);
    assert.match(bye, new RegExp(`^From: .*tag=${toTag}`, 'm'), 'from our side of the dialog');
    await h.ep.close();
  });
});
