// The endpoint taking over an INVITE that was answered on arrival (worker/answer-on-arrival.ts):
// the 200 that left is the one it retransmits until the ACK, the ACK confirms the dialog, a
// retransmitted INVITE gets that 200 again, and an application that refuses the call hangs it up
// with BYE (the caller has the 200). The socket is in memory and the clock manual; the real
// sockets and threads are in test/media-node-answer.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../test/harness/manual-clock.js';
import {
  DEFAULT_PARSE_LIMITS,
  SipEndpoint,
  type AnsweredOnArrival,
  type IncomingInvite,
  type UdpPort,
  type UdpReceiver,
} from '../sip/index.js';
import { answerableInvite, writeArrivalAnswer } from './worker/answer-on-arrival.js';

const CALLER = { address: '127.0.0.1', port: 5070 };
const OFFER = [
  'v=0',
  'o=caller 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  '',
].join('\r\n');

function request(method: string, callId: string, cseq: number, extra: string[], body = ''): Buffer {
  return Buffer.from(
    [
      `${method} sip:agent@127.0.0.1:5080 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${callId}-${method === 'BYE' ? 'b' : 'i'};rport`,
      'Max-Forwards: 70',
      'From: <sip:caller@127.0.0.1>;tag=caller',
      ...extra,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      'Contact: <sip:caller@127.0.0.1:5070>',
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

async function harness() {
  const clock = new ManualClock();
  const sent: string[] = [];
  let deliver: UdpReceiver = () => assert.fail('the endpoint did not take the socket');
  const udp: UdpPort = {
    port: 5080,
    receive: (handler) => (deliver = handler),
    send: (data) => sent.push(data.toString('latin1')),
    close: () => Promise.resolve(),
  };
  const ep = await SipEndpoint.listen({
    host: '127.0.0.1',
    port: 5080,
    udp,
    transports: ['udp'],
    timers: clock,
  });
  const invites: IncomingInvite[] = [];
  ep.on('invite', (inv) => invites.push(inv));
  let discarded = 0;
  /** An INVITE as the RTP thread hands it over: the responses it sent and its media attached. */
  const arrive = (callId: string) => {
    const data = request('INVITE', callId, 1, ['To: <sip:agent@127.0.0.1>'], OFFER);
    const config = {
      contact: ep.contact('udp'),
      limits: DEFAULT_PARSE_LIMITS,
      codecs: ['PCMU'],
      mediaAddress: '127.0.0.1',
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
    deliver(
      request('ACK', callId, 1, [`To: <sip:agent@127.0.0.1>;tag=${toTag}`]),
      CALLER.address,
      CALLER.port,
    );
  return { clock, sent, ep, invites, arrive, ack, deliver, discarded: () => discarded };
}

describe('SipEndpoint: an INVITE answered on arrival', () => {
  it('is handed to the application answered, and sends nothing the thread sent already', async () => {
    const h = await harness();
    h.arrive('a');
    assert.equal(h.invites.length, 1);
    assert.deepEqual(h.invites[0]!.answered?.media, { opaque: true });
    void h.invites[0]!.accept('');
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
    void h.invites[0]!.accept('');
    h.deliver(data, CALLER.address, CALLER.port);
    assert.deepEqual(h.sent, [ok]);
    assert.equal(h.invites.length, 1);
    await h.ep.close();
  });

  it('a copy that comes answered for a transaction the endpoint has is a retransmission', async () => {
    const h = await harness();
    const { ok } = h.arrive('d');
    void h.invites[0]!.accept('');
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
