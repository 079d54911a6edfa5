import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sdpTransform from 'sdp-transform';
import { answerOffer, createOffer, parseAnswer, type LocalMedia } from './negotiate.js';

const local: LocalMedia = { address: '127.0.0.1', port: 20000, codecs: ['PCMU', 'PCMA'] };

/** An offer as a carrier or sipp would send it. */
function offer(opts: {
  payloads: string;
  rtpmaps?: string[];
  direction?: string;
  sessionC?: string;
  mediaC?: string;
  extra?: string[];
  before?: string[];
}): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 198.51.100.7',
    's=-',
    ...(opts.sessionC ? [`c=IN IP4 ${opts.sessionC}`] : []),
    't=0 0',
    ...(opts.before ?? []),
    `m=audio 40000 RTP/AVP ${opts.payloads}`,
    ...(opts.mediaC ? [`c=IN IP4 ${opts.mediaC}`] : []),
    ...(opts.rtpmaps ?? []),
    ...(opts.direction ? [`a=${opts.direction}`] : []),
    ...(opts.extra ?? []),
    '',
  ].join('\r\n');
}

function answerMedia(answer: string): sdpTransform.MediaDescription[] {
  return sdpTransform.parse(answer).media;
}

void describe('answerOffer', () => {
  const table = [
    { name: 'PCMU only', payloads: '0', rtpmaps: [], codec: 'PCMU', pt: 0 },
    { name: 'PCMA only', payloads: '8', rtpmaps: [], codec: 'PCMA', pt: 8 },
    {
      name: 'both, offered PCMA first: our preference wins',
      payloads: '8 0',
      rtpmaps: [],
      codec: 'PCMU',
      pt: 0,
    },
    {
      name: 'unknown codecs before ours',
      payloads: '96 8',
      rtpmaps: ['a=rtpmap:96 opus/48000/2'],
      codec: 'PCMA',
      pt: 8,
    },
  ];
  for (const t of table) {
    void it(`picks ${t.codec} for ${t.name}`, () => {
      const result = answerOffer(
        offer({ payloads: t.payloads, rtpmaps: t.rtpmaps, sessionC: '198.51.100.7' }),
        local,
      );
      assert.ok(result.ok);
      assert.equal(result.media.codec.name, t.codec);
      assert.equal(result.media.codec.payloadType, t.pt);
      const [m] = answerMedia(result.answer);
      assert.equal(String(m?.payloads), String(t.pt));
      assert.equal(m?.ptime, 20);
      assert.equal(m?.port, 20000);
    });
  }

  void it('follows our preference order from config', () => {
    const result = answerOffer(offer({ payloads: '0 8', sessionC: '198.51.100.7' }), {
      ...local,
      codecs: ['PCMA', 'PCMU'],
    });
    assert.ok(result.ok);
    assert.equal(result.media.codec.name, 'PCMA');
  });

  void it('answers telephone-event with the payload type the offer used', () => {
    const result = answerOffer(
      offer({
        payloads: '0 98',
        rtpmaps: ['a=rtpmap:98 telephone-event/8000', 'a=fmtp:98 0-15'],
        sessionC: '198.51.100.7',
      }),
      local,
    );
    assert.ok(result.ok);
    assert.equal(result.media.telephoneEventPayloadType, 98);
    const [m] = answerMedia(result.answer);
    assert.equal(m?.payloads, '0 98');
    assert.deepEqual(
      m?.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`),
      ['0 PCMU/8000', '98 telephone-event/8000'],
    );
  });

  void it('is not acceptable (488) when no codec is shared or there is no audio', () => {
    const noCodec = answerOffer(offer({ payloads: '9 18', sessionC: '198.51.100.7' }), local);
    assert.deepEqual(noCodec.ok ? undefined : noCodec.reason, 'no-common-codec');
    const video = answerOffer(
      offer({ payloads: '0', sessionC: '198.51.100.7' }).replace('m=audio', 'm=video'),
      local,
    );
    assert.deepEqual(video.ok ? undefined : video.reason, 'no-audio');
    const junk = answerOffer('this is not sdp', local);
    assert.equal(junk.ok, false);
  });

  const holds = [
    { offered: 'sendonly', answered: 'recvonly' },
    { offered: 'recvonly', answered: 'sendonly' },
    { offered: 'inactive', answered: 'inactive' },
    { offered: 'sendrecv', answered: 'sendrecv' },
  ];
  for (const h of holds) {
    void it(`answers a=${h.offered} with a=${h.answered}`, () => {
      const result = answerOffer(
        offer({ payloads: '0', direction: h.offered, sessionC: '198.51.100.7' }),
        local,
      );
      assert.ok(result.ok);
      assert.equal(result.media.direction, h.answered);
      assert.equal(answerMedia(result.answer)[0]?.direction, h.answered);
    });
  }

  void it('treats c=0.0.0.0 as hold: we do not send and have no remote address', () => {
    const result = answerOffer(offer({ payloads: '0', sessionC: '0.0.0.0' }), local);
    assert.ok(result.ok);
    assert.equal(result.media.direction, 'recvonly');
    assert.equal(result.media.remote, undefined);
  });

  void it('takes the media-level c= over the session-level one, and a=rtcp', () => {
    const result = answerOffer(
      offer({
        payloads: '0',
        sessionC: '198.51.100.7',
        mediaC: '203.0.113.9',
        extra: ['a=rtcp:40011'],
      }),
      local,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.media.remote, { address: '203.0.113.9', port: 40000, rtcpPort: 40011 });
    const sessionOnly = answerOffer(offer({ payloads: '0', sessionC: '198.51.100.7' }), local);
    assert.ok(sessionOnly.ok);
    assert.deepEqual(sessionOnly.media.remote, { address: '198.51.100.7', port: 40000 });
  });

  void it('rejects extra m-lines with port 0, keeping their order', () => {
    const text = offer({
      payloads: '0',
      sessionC: '198.51.100.7',
      before: ['m=video 40002 RTP/AVP 96', 'a=rtpmap:96 VP8/90000'],
      extra: ['m=audio 40004 RTP/AVP 8'],
    });
    const result = answerOffer(text, local);
    assert.ok(result.ok);
    const media = answerMedia(result.answer);
    assert.deepEqual(
      media.map((m) => `${m.type} ${m.port}`),
      ['video 0', 'audio 20000', 'audio 0'],
    );
  });
});

void describe('createOffer and parseAnswer', () => {
  void it('offers our codecs in preference order with telephone-event 101', () => {
    const m = answerMedia(
      createOffer({ ...local, codecs: ['PCMA', 'PCMU'], sessionVersion: 2 }),
    )[0];
    assert.equal(m?.payloads, '8 0 101');
    assert.equal(m?.direction, 'sendrecv');
    assert.equal(m?.ptime, 20);
  });

  void it('offers hold as a re-INVITE with a=sendonly', () => {
    const text = createOffer({ ...local, direction: 'sendonly', sessionVersion: 3 });
    assert.equal(answerMedia(text)[0]?.direction, 'sendonly');
    assert.equal(sdpTransform.parse(text).origin?.sessionVersion, 3);
  });

  void it('round-trips: our answer to our own offer is what parseAnswer reads back', () => {
    const ours = createOffer(local);
    const theirs = answerOffer(ours, {
      address: '127.0.0.2',
      port: 30000,
      codecs: ['PCMA', 'PCMU'],
    });
    assert.ok(theirs.ok);
    const read = parseAnswer(theirs.answer, local);
    assert.ok(read.ok);
    assert.equal(read.media.codec.name, 'PCMA');
    assert.equal(read.media.telephoneEventPayloadType, 101);
    assert.deepEqual(read.media.remote, { address: '127.0.0.2', port: 30000 });
    assert.equal(read.media.direction, 'sendrecv');
  });

  void it('refuses an answer that picked nothing we offered or rejected audio', () => {
    const g722 = offer({ payloads: '9', sessionC: '198.51.100.7' });
    assert.equal(parseAnswer(g722, local).ok, false);
    assert.equal(parseAnswer(g722.replace('m=audio 40000', 'm=audio 0'), local).ok, false);
  });

  void it('refuses to offer with no supported codec configured', () => {
    assert.throws(() => createOffer({ ...local, codecs: ['G722'] }), /no supported codec/);
  });
});
