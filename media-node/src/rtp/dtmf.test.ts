import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DtmfReceiver, DtmfSender, dtmfDigit, dtmfEventCode, parseTelephoneEvent } from './dtmf.js';

function sendAll(
  sender: DtmfSender,
): { marker: boolean; timestamp: number; end: boolean; duration: number; bytes: Uint8Array }[] {
  const out = [];
  for (let p = sender.next(); p; p = sender.next()) {
    const e = parseTelephoneEvent(p.payload)!;
    out.push({
      marker: p.marker,
      timestamp: p.timestamp,
      end: e.end,
      duration: e.duration,
      bytes: p.payload.slice(),
    });
  }
  return out;
}

void describe('RFC 4733 DTMF', () => {
  void it('maps digits to event codes and back', () => {
    assert.deepEqual([...'0123456789*#ABCD'].map(dtmfEventCode), [...Array(16).keys()]);
    assert.equal(dtmfEventCode('x'), undefined);
    assert.equal(dtmfEventCode('12'), undefined);
    assert.equal(dtmfDigit(11), '#');
    assert.equal(dtmfDigit(16), undefined);
  });

  void it('sends a start with marker, growing updates and three end packets, all at the start timestamp', () => {
    const packets = sendAll(new DtmfSender('5', 100, 4000));
    assert.deepEqual(
      packets.map((p) => [p.marker, p.timestamp, p.end, p.duration]),
      [
        [true, 4000, false, 160],
        [false, 4000, false, 320],
        [false, 4000, false, 480],
        [false, 4000, false, 640],
        [false, 4000, true, 800],
        [false, 4000, true, 800],
        [false, 4000, true, 800],
      ],
    );
    assert.equal(packets[0]!.bytes[0], 5);
    assert.equal(packets[0]!.bytes[1]! & 0x3f, 10);
  });

  void it('rejects a non-digit', () => {
    assert.throws(() => new DtmfSender('x', 100, 0), /not a DTMF digit/);
  });

  void it('reports each key press once, ignoring updates and repeated end packets', () => {
    const rx = new DtmfReceiver();
    const got: string[] = [];
    for (const [digit, ts] of [
      ['1', 1000],
      ['1', 3000],
      ['#', 5000],
    ] as const) {
      for (const p of sendAll(new DtmfSender(digit, 80, ts))) {
        const d = rx.receive(p.timestamp, p.bytes);
        if (d) got.push(d);
      }
    }
    assert.deepEqual(got, ['1', '1', '#']);
  });

  void it('still reports a key press when only its end packets arrive', () => {
    const rx = new DtmfReceiver();
    const ends = sendAll(new DtmfSender('9', 60, 7000)).filter((p) => p.end);
    assert.deepEqual(
      ends.map((p) => rx.receive(p.timestamp, p.bytes)),
      ['9', undefined, undefined],
    );
  });

  void it('treats the next segment of a very long event as the same key press', () => {
    const rx = new DtmfReceiver();
    const seg = Uint8Array.from([3, 10, 0xff, 0xff]);
    assert.equal(rx.receive(100, seg), '3');
    assert.equal(
      rx.receive((100 + 0xffff) >>> 0, Uint8Array.from([3, 0x80 | 10, 0, 160])),
      undefined,
    );
  });

  void it('ignores payloads shorter than four bytes', () => {
    assert.equal(new DtmfReceiver().receive(1, Uint8Array.from([1, 2])), undefined);
  });
});
