import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseSdp } from 'sdp-transform';
import { answerableInvite, mayBeInvite, writeArrivalAnswer } from './answer-on-arrival.js';
import {
  DEFAULT_PARSE_LIMITS,
  DEFAULT_SESSION_TIMER,
  headerValues,
  parseMessage,
  tagOf,
  type ValidResponse,
} from '../../sip/index.js';

const OFFER = [
  'v=0',
  'o=caller 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 8 0 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

function invite(
  options: { headers?: string[]; to?: string; body?: string; method?: string } = {},
): Buffer {
  const body = options.body ?? OFFER;
  const method = options.method ?? 'INVITE';
  return Buffer.from(
    [
      `${method} sip:+14155550100@127.0.0.1:5080 SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-edge;rport',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-carrier',
      'Max-Forwards: 69',
      'Record-Route: <sip:127.0.0.1:5060;lr>',
      'From: <sip:+15105550123@127.0.0.1>;tag=caller',
      `To: ${options.to ?? '<sip:+14155550100@127.0.0.1>'}`,
      'Call-ID: immediate-1',
      `CSeq: 7 ${method}`,
      'Contact: <sip:caller@127.0.0.1:5070>',
      ...(body ? ['Content-Type: application/sdp'] : []),
      ...(options.headers ?? []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

const CONFIG = {
  contact: '<sip:media@127.0.0.1:5080>',
  limits: DEFAULT_PARSE_LIMITS,
  codecs: ['PCMU', 'PCMA'],
  mediaAddress: '127.0.0.1',
  sessionTimer: DEFAULT_SESSION_TIMER,
};
const SOURCE = { address: '127.0.0.1', port: 5060, transport: 'udp' as const };

function response(data: Buffer): ValidResponse {
  const parsed = parseMessage(data);
  assert.ok(parsed.ok && parsed.message.kind === 'response', data.toString());
  return parsed.message;
}

describe('answerableInvite', () => {
  it('takes a new call whose offer the node accepts', () => {
    const answerable = answerableInvite(invite(), CONFIG);
    assert.ok(answerable);
    assert.equal(answerable.req.callId, 'immediate-1');
    assert.equal(
      answerable.negotiation.media.codec.name,
      'PCMU',
      'the node picks by its own order',
    );
    assert.equal(answerable.negotiation.media.telephoneEventPayloadType, 101);
  });

  it('leaves everything else to the event loop, which says what is wrong', () => {
    const cases: Array<[string, Buffer]> = [
      ['an OPTIONS', invite({ method: 'OPTIONS', body: '' })],
      ['a re-INVITE inside a dialog', invite({ to: '<sip:+14155550100@127.0.0.1>;tag=node' })],
      ['an INVITE without an offer (the answer carries the offer)', invite({ body: '' })],
      ['an INVITE that loops', invite({ headers: ['Max-Forwards: 0'] })],
      ['an extension the node lacks', invite({ headers: ['Require: 100rel'] })],
      [
        'an offer with no codec the node speaks (488 from the endpoint)',
        invite({
          body: OFFER.replace('RTP/AVP 8 0 101', 'RTP/AVP 9').replace(/a=rtpmap:[08].*\r\n/g, ''),
        }),
      ],
      ['a malformed message (400 from the endpoint)', Buffer.from('INVITE sip:x SIP/2.0\r\n\r\n')],
      ['a response', Buffer.from('SIP/2.0 200 OK\r\n\r\n')],
    ];
    for (const [what, data] of cases) assert.equal(answerableInvite(data, CONFIG), undefined, what);
  });

  it('looks at the first bytes before it parses', () => {
    assert.equal(mayBeInvite(invite()), true);
    assert.equal(mayBeInvite(invite({ method: 'OPTIONS', body: '' })), false);
    assert.equal(mayBeInvite(Buffer.from('INVITE')), false);
  });
});

describe('writeArrivalAnswer', () => {
  const answerable = answerableInvite(invite(), CONFIG)!;
  const answer = writeArrivalAnswer(answerable, SOURCE, 41000, CONFIG, {
    toTag: 'nodetag',
    sdpSessionId: 4242,
  });
  const [trying, ringing, ok] = answer.responses.map(response);

  it('sends 100, 180 and a 200 that carries the SDP answer, all on one transaction', () => {
    assert.deepEqual([trying!.status, ringing!.status, ok!.status], [100, 180, 200]);
    for (const r of [trying!, ringing!, ok!]) {
      assert.equal(r.callId, 'immediate-1');
      assert.equal(r.cseq.seq, 7);
      assert.equal(r.via.length, 2, 'both Via headers come back');
      assert.equal(r.via[0]!.params.get('branch'), 'z9hG4bK-edge');
    }
    assert.equal(tagOf(ok!.to), 'nodetag');
    assert.equal(tagOf(ringing!.to), 'nodetag', 'the early dialog has the tag the 200 confirms');
  });

  it('keeps the route set and names the node as the contact, as the endpoint does', () => {
    assert.deepEqual(headerValues(ok!.headers, 'record-route'), ['<sip:127.0.0.1:5060;lr>']);
    assert.deepEqual(headerValues(ok!.headers, 'contact'), ['<sip:media@127.0.0.1:5080>']);
    assert.deepEqual(headerValues(ok!.headers, 'content-type'), ['application/sdp']);
  });

  it('answers with the negotiated codec on the RTP port it was given', () => {
    const sdp = parseSdp(ok!.body.toString());
    assert.equal(sdp.origin?.sessionId, 4242);
    const audio = sdp.media[0]!;
    assert.equal(audio.port, 41000);
    assert.equal(sdp.connection?.ip, '127.0.0.1');
    assert.deepEqual(
      audio.rtp.map((r) => r.codec),
      ['PCMU', 'telephone-event'],
      'one codec and DTMF, nothing the caller did not offer',
    );
  });

  it('answers where the response is due: the source port under rport', () => {
    assert.equal(`${answer.destination.address}:${answer.destination.port}`, '127.0.0.1:5060');
  });
});
