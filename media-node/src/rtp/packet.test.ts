import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRtp, readRtpHeader, rtpHeader, serializeRtp, writeRtpHeader } from './packet.js';

const base = {
  marker: true,
  payloadType: 0,
  sequenceNumber: 65535,
  timestamp: 0xfffffff0,
  ssrc: 0xdeadbeef,
};
const payload = Uint8Array.from({ length: 160 }, (_, i) => i);

void describe('RTP packets', () => {
  void it('round-trips header fields and payload', () => {
    const result = parseRtp(serializeRtp({ ...base, payload }));
    assert.ok(result.ok);
    const p = result.packet;
    assert.deepEqual(
      [p.marker, p.payloadType, p.sequenceNumber, p.timestamp, p.ssrc, p.paddingBytes],
      [true, 0, 65535, 0xfffffff0, 0xdeadbeef, 0],
    );
    assert.deepEqual(p.payload, payload);
  });

  void it('skips CSRCs, the header extension and padding to find the payload', () => {
    const data = serializeRtp({
      ...base,
      payload,
      csrcs: [1, 2, 3],
      extension: { profile: 0xbede, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
      paddingBytes: 4,
    });
    const result = parseRtp(data);
    assert.ok(result.ok);
    assert.deepEqual(result.packet.csrcs, [1, 2, 3]);
    assert.equal(result.packet.extension?.profile, 0xbede);
    assert.equal(result.packet.extension?.data.length, 8);
    assert.equal(result.packet.paddingBytes, 4);
    assert.deepEqual(result.packet.payload, payload);
  });

  void it('reads every packet whole into one reused header, nothing left from the one before', () => {
    const h = rtpHeader();
    const rich = serializeRtp({
      ...base,
      payload,
      csrcs: [7],
      extension: { profile: 0xbede, data: new Uint8Array(4) },
      paddingBytes: 3,
    });
    assert.equal(readRtpHeader(rich, h), undefined);
    assert.deepEqual([h.csrcCount, h.paddingBytes, h.payloadEnd - h.payloadStart], [1, 3, 160]);
    assert.ok(h.extensionStart > 0);
    const plain = serializeRtp({
      ...base,
      marker: false,
      sequenceNumber: 7,
      payload: payload.subarray(0, 80),
    });
    assert.equal(readRtpHeader(plain, h), undefined);
    assert.deepEqual(
      [h.marker, h.sequenceNumber, h.csrcCount, h.extensionStart, h.paddingBytes],
      [false, 7, 0, -1, 0],
    );
    assert.deepEqual(plain.subarray(h.payloadStart, h.payloadEnd), payload.subarray(0, 80));
    assert.equal(readRtpHeader(plain.subarray(0, 11), h), 'shorter than the RTP header');
  });

  void it('writes the same fixed header as the full serialiser', () => {
    const out = new Uint8Array(12);
    assert.equal(writeRtpHeader(out, base), 12);
    assert.deepEqual(out, serializeRtp({ ...base, payload: new Uint8Array(0) }));
  });

  const valid = serializeRtp({ ...base, payload });
  const withExt = serializeRtp({
    ...base,
    payload: new Uint8Array(0),
    extension: { profile: 1, data: new Uint8Array(8) },
  });
  const malformed: [string, Uint8Array, RegExp][] = [
    ['an empty datagram', new Uint8Array(0), /shorter/],
    ['a truncated header', valid.subarray(0, 11), /shorter/],
    ['version 1', Uint8Array.from([0x40, ...valid.subarray(1)]), /version/],
    ['a CSRC count past the end', Uint8Array.from([0x8f, ...valid.subarray(1, 20)]), /CSRC/],
    ['an extension length past the end', withExt.subarray(0, 18), /extension/],
    [
      'padding longer than the payload',
      Uint8Array.from([0xa0, ...valid.subarray(1, 15), 200]),
      /padding/,
    ],
    ['zero padding length', Uint8Array.from([0xa0, ...valid.subarray(1, 15), 0]), /padding/],
    ['an RTCP sender report', Uint8Array.from([0x80, 200, 0, 6, ...new Uint8Array(24)]), /RTCP/],
  ];
  for (const [name, data, reason] of malformed) {
    void it(`rejects ${name} without throwing`, () => {
      const result = parseRtp(data);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
  }

  void it('never throws on random bytes', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let n = 0; n < 2000; n++) {
      const data = Uint8Array.from({ length: rand() % 40 }, rand);
      if (n % 2) data[0] = 0x80 | (rand() & 0x3f);
      assert.doesNotThrow(() => parseRtp(data));
    }
  });
});
