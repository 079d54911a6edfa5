import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sdpTransform from 'sdp-transform';
import { LocalDescription } from './local-description.js';
import { negotiateOffer } from './negotiate.js';

const media = { address: '127.0.0.1', port: 20000, codecs: ['PCMU', 'PCMA'] };

function offer(direction: string, payloads = '0 8 101', address = '198.51.100.7'): string {
  return [
    'v=0',
    'o=- 7 1 IN IP4 198.51.100.7',
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio 40000 RTP/AVP ${payloads}`,
    'a=rtpmap:101 telephone-event/8000',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

function origin(text: string): { id: number | string; version: number } {
  const o = sdpTransform.parse(text).origin;
  assert.ok(o);
  return { id: o.sessionId, version: o.sessionVersion };
}

void describe('LocalDescription', () => {
  void it('answers an offer negotiated before the port was known, as answer() would', () => {
    const text = offer('sendonly', '8 0 101', '198.51.100.9');
    const decided = negotiateOffer(text, { codecs: media.codecs });
    assert.ok(decided.ok);
    assert.equal(
      decided.negotiation.media.codec.name,
      'PCMU',
      'our preference, not the order offered',
    );
    assert.equal(decided.negotiation.media.direction, 'recvonly');
    const viaNegotiation = new LocalDescription(media, 9).answerNegotiated(decided.negotiation);
    const direct = new LocalDescription(media, 9).answer(text);
    assert.ok(direct.ok);
    assert.equal(viaNegotiation, direct.answer);
    const again = new LocalDescription(media, 9);
    again.answerNegotiated(decided.negotiation);
    assert.equal(origin(again.answerNegotiated(decided.negotiation)).version, 2, 'version bumped');
  });

  void it('keeps the o= id and bumps the version with every re-INVITE answer (hold, resume)', () => {
    const local = new LocalDescription(media, 4242);
    const steps = [
      { direction: 'sendrecv', answered: 'sendrecv' },
      { direction: 'sendonly', answered: 'recvonly' },
      { direction: 'inactive', answered: 'inactive' },
      { direction: 'sendrecv', answered: 'sendrecv' },
    ];
    steps.forEach((step, i) => {
      const result = local.answer(offer(step.direction));
      assert.ok(result.ok, step.direction);
      assert.deepEqual(origin(result.answer), { id: 4242, version: i + 1 });
      assert.equal(result.media.direction, step.answered);
      assert.equal(sdpTransform.parse(result.answer).media[0]?.direction, step.answered);
    });
  });

  void it('answers with our preference order and the offered telephone-event payload type', () => {
    const result = new LocalDescription(media, 1).answer(
      offer('sendrecv', '8 0 96').replace('rtpmap:101', 'rtpmap:96'),
    );
    assert.ok(result.ok);
    assert.equal(result.media.codec.name, 'PCMU');
    assert.equal(result.media.telephoneEventPayloadType, 96);
    assert.deepEqual(result.media.remote, { address: '198.51.100.7', port: 40000 });
  });

  void it('a refused re-INVITE (488) does not use up a version', () => {
    const local = new LocalDescription(media, 1);
    assert.ok(local.answer(offer('sendrecv')).ok);
    const refused = local.answer(offer('sendrecv', '18'));
    assert.deepEqual(refused.ok ? undefined : refused.reason, 'no-common-codec');
    assert.equal(local.version, 1);
    const next = local.answer(offer('sendonly'));
    assert.ok(next.ok);
    assert.equal(origin(next.answer).version, 2);
  });

  void it('offers, then reads the 2xx answer; a later re-INVITE answer continues the version', () => {
    const local = new LocalDescription(media, 99);
    const ours = local.offer();
    assert.deepEqual(origin(ours), { id: 99, version: 1 });
    assert.equal(sdpTransform.parse(ours).media[0]?.payloads, '0 8 101');
    const theirs = new LocalDescription({ ...media, address: '127.0.0.2', port: 30000 }, 5).answer(
      ours,
    );
    assert.ok(theirs.ok);
    const read = local.readAnswer(theirs.answer);
    assert.ok(read.ok);
    assert.equal(read.media.codec.name, 'PCMU');
    assert.equal(read.media.telephoneEventPayloadType, 101);
    assert.deepEqual(read.media.remote, { address: '127.0.0.2', port: 30000 });
    assert.equal(read.media.direction, 'sendrecv');
    const reinvite = local.answer(offer('sendonly'));
    assert.ok(reinvite.ok);
    assert.deepEqual(origin(reinvite.answer), { id: 99, version: 2 });
  });

  void it('our hold offer caps our direction when its answer comes', () => {
    const local = new LocalDescription(media, 3);
    const hold = local.offer({ direction: 'sendonly' });
    assert.equal(sdpTransform.parse(hold).media[0]?.direction, 'sendonly');
    const theirs = new LocalDescription({ ...media, address: '127.0.0.2', port: 30000 }, 5).answer(
      hold,
    );
    assert.ok(theirs.ok);
    assert.equal(theirs.media.direction, 'recvonly');
    const read = local.readAnswer(theirs.answer);
    assert.ok(read.ok);
    assert.equal(read.media.direction, 'sendonly');
  });

  void it('refuses an unusable answer without throwing', () => {
    const local = new LocalDescription(media, 1);
    local.offer();
    assert.equal(local.readAnswer('').ok, false);
    assert.equal(local.readAnswer('garbage').ok, false);
    const g722 = local.readAnswer(offer('sendrecv', '9'));
    assert.deepEqual(g722.ok ? undefined : g722.reason, 'no-common-codec');
  });
});
