import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StreamFramer } from './stream-framer.js';

const msg = (body: string, cseq = 1) =>
  [
    'OPTIONS sip:a@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-${cseq}`,
    'From: <sip:b@127.0.0.1>;tag=1',
    'To: <sip:a@127.0.0.1>',
    'Call-ID: framer',
    `CSeq: ${cseq} OPTIONS`,
    `l: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');

it('cuts a byte stream into messages by Content-Length, across chunk boundaries', () => {
  const stream = Buffer.from('\r\n\r\n' + msg('hello') + msg('', 2) + msg('wörld', 3));
  for (const size of [1, 7, 64, stream.length]) {
    const framer = new StreamFramer();
    const bodies: string[] = [];
    for (let i = 0; i < stream.length; i += size) {
      for (const out of framer.push(stream.subarray(i, i + size))) {
        assert.equal(out.type, 'message');
        assert.ok(out.result.ok);
        bodies.push(out.result.message.body.toString());
      }
    }
    assert.deepEqual(bodies, ['hello', '', 'wörld'], `chunk size ${size}`);
    assert.equal(framer.buffered, 0);
  }
});

it('waits for a body that has not arrived yet', () => {
  const framer = new StreamFramer();
  assert.deepEqual(framer.push(Buffer.from(msg('0123456789').slice(0, -4))), []);
  const out = framer.push(Buffer.from('6789'));
  assert.equal(out.length, 1);
});

it('a negative or conflicting Content-Length is fatal for the connection, with a 400 to send', () => {
  for (const bad of [
    msg('x').replace('l: 1', 'l: -1'),
    msg('x').replace('l: 1', 'l: 1\r\nContent-Length: 2'),
  ]) {
    const framer = new StreamFramer();
    const out = framer.push(Buffer.from(bad));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.type, 'fatal');
    assert.ok(out[0]?.result.reply, 'enough headers to answer');
    assert.deepEqual(framer.push(Buffer.from(msg(''))), [], 'nothing more is read');
  }
});

it('a header section that never ends is fatal once it passes the size bound', () => {
  const framer = new StreamFramer({ maxMessageBytes: 1000, maxHeaders: 50, maxHeaderBytes: 500 });
  const out = framer.push(Buffer.alloc(1200, 0x61));
  assert.equal(out[0]?.type, 'fatal');
});
