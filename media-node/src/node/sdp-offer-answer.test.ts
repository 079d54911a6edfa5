import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerOffer, createOffer, readAudio } from './sdp-offer-answer.js';

const local = {
  host: '127.0.0.1',
  port: 20000,
  codecs: ['PCMU', 'PCMA'],
  sessionId: 1,
  version: 1,
};
const offer = (m: string, extra = '') =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${m}\r\na=rtpmap:101 telephone-event/8000\r\n${extra}`;

void test('sdp: answers with the first offered codec we support, telephone-event and the hold direction', () => {
  const cases = [
    { m: 'm=audio 4000 RTP/AVP 8 0 101', codec: 'PCMA', te: 101, dir: 'sendrecv' },
    { m: 'm=audio 4000 RTP/AVP 0 101', codec: 'PCMU', te: 101, dir: 'sendrecv' },
    { m: 'm=audio 4000 RTP/AVP 0', codec: 'PCMU', te: undefined, dir: 'sendrecv' },
    {
      m: 'm=audio 4000 RTP/AVP 0 101',
      extra: 'a=sendonly\r\n',
      codec: 'PCMU',
      te: 101,
      dir: 'recvonly',
    },
    {
      m: 'm=audio 4000 RTP/AVP 0 101',
      extra: 'a=inactive\r\n',
      codec: 'PCMU',
      te: 101,
      dir: 'inactive',
    },
  ];
  for (const c of cases) {
    const result = answerOffer(offer(c.m, c.extra), local);
    assert.ok(result, c.m);
    assert.equal(result.negotiated.codec.name, c.codec);
    assert.equal(result.negotiated.telephoneEventPayloadType, c.te);
    assert.equal(result.negotiated.direction, c.dir);
    assert.deepEqual(result.negotiated.remote, { address: '127.0.0.1', port: 4000 });
    assert.match(result.answerSdp, /m=audio 20000 RTP\/AVP/);
    assert.match(result.answerSdp, new RegExp(`a=${c.dir}`));
  }
});

void test('sdp: nothing acceptable (or garbage) gives no answer, so the call gets 488', () => {
  assert.equal(answerOffer(offer('m=audio 4000 RTP/AVP 18'), local), undefined);
  assert.equal(answerOffer(offer('m=video 4000 RTP/AVP 96'), local), undefined);
  assert.equal(answerOffer('not sdp at all', local), undefined);
  assert.equal(answerOffer('', local), undefined);
});

void test('sdp: our offer lists the configured codecs and telephone-event, and reads back', () => {
  const sdp = createOffer(local);
  assert.match(sdp, /m=audio 20000 RTP\/AVP 0 8 101/);
  assert.equal(readAudio(sdp, ['PCMU'])?.codec.name, 'PCMU');
});
