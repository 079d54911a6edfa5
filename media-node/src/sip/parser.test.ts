import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from './parser.js';
import { loadRfc4475, rejectCodes } from '../../../test/harness/rfc4475-corpus.js';
import { tagOf } from './name-addr.js';

const INVITE = [
  'INVITE sip:+14155550100@127.0.0.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@127.0.0.1>;tag=a1',
  'To: <sip:+14155550100@127.0.0.1>',
  'Call-ID: abc@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:alice@127.0.0.1:5070>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\r\n',
].join('\r\n');

function parse(text: string, stream = false) {
  return parseMessage(Buffer.from(text, 'utf8'), { stream });
}

function withLine(replace: string, by: string): string {
  assert.ok(INVITE.includes(replace), replace);
  return INVITE.replace(replace, by);
}

describe('parseMessage', () => {
  it('parses a plain INVITE into typed fields', () => {
    const r = parse(INVITE);
    assert.ok(r.ok);
    const m = r.message;
    assert.equal(m.kind, 'request');
    assert.equal(m.kind === 'request' && m.method, 'INVITE');
    assert.equal(m.callId, 'abc@127.0.0.1');
    assert.deepEqual(m.cseq, { seq: 1, method: 'INVITE' });
    assert.equal(m.from.displayName, 'Alice');
    assert.equal(tagOf(m.from), 'a1');
    assert.equal(tagOf(m.to), undefined);
    assert.equal(m.via[0]?.params.get('branch'), 'z9hG4bK-1');
    assert.equal(m.via[0]?.port, 5070);
    assert.equal(m.body.toString(), 'v=0\r');
    assert.equal(r.length, Buffer.byteLength(INVITE) - 1);
  });

  it('parses a response with an empty reason phrase', () => {
    const r = parse(
      'SIP/2.0 180 \r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n',
    );
    assert.ok(r.ok);
    assert.equal(r.message.kind === 'response' && r.message.status, 180);
  });

  it('expands compact forms and splits multi-value headers', () => {
    const r = parse(
      [
        'OPTIONS sip:x@h SIP/2.0',
        'v: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b:5061;branch=z9hG4bK2',
        'f: <sip:a@h>;tag=1',
        't: sip:x@h',
        'i: cid',
        'CSeq: 2 OPTIONS',
        'm: <sip:a@h>, "B, Jr" <sip:b@h>',
        'Record-Route: <sip:p1;lr>,<sip:p2;lr>',
        'l: 0',
        '',
        '',
      ].join('\r\n'),
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.message.via.map((v) => [v.transport, v.host, v.port]),
      [
        ['UDP', 'a', undefined],
        ['TCP', 'b', 5061],
      ],
    );
    assert.equal(r.message.headers.filter(([n]) => n === 'contact').length, 2);
    assert.equal(r.message.headers.filter(([n]) => n === 'record-route').length, 2);
  });

  it('unfolds continuation lines', () => {
    const r = parse(withLine('CSeq: 1 INVITE', 'CSeq: 1\r\n  INVITE'));
    assert.ok(r.ok);
    assert.equal(r.message.cseq.method, 'INVITE');
  });

  it('takes the rest of a UDP datagram as body without Content-Length, none on a stream', () => {
    const text = INVITE.replace('Content-Length: 4\r\n', '');
    const udp = parse(text);
    const tcp = parse(text, true);
    assert.ok(udp.ok && tcp.ok);
    assert.equal(udp.message.body.toString(), 'v=0\r\n');
    assert.equal(tcp.message.body.length, 0);
  });

  const rejects: Array<[string, string, number, string]> = [
    [
      'unsupported version',
      withLine('INVITE sip:+14155550100@127.0.0.1:5060 SIP/2.0', 'INVITE sip:x@h SIP/3.0'),
      505,
      'bad-version',
    ],
    [
      'extra spaces in the request line',
      withLine(' SIP/2.0\r\nVia', '  SIP/2.0\r\nVia'),
      400,
      'bad-start-line',
    ],
    [
      'CSeq above 2^32-1',
      withLine('CSeq: 1 INVITE', 'CSeq: 4294967296 INVITE'),
      400,
      'bad-header-value',
    ],
    ['CSeq method mismatch', withLine('CSeq: 1 INVITE', 'CSeq: 1 BYE'), 400, 'method-mismatch'],
    [
      'Max-Forwards above 255',
      withLine('Max-Forwards: 70', 'Max-Forwards: 256'),
      400,
      'bad-header-value',
    ],
    [
      'negative Content-Length',
      withLine('Content-Length: 4', 'Content-Length: -4'),
      400,
      'bad-content-length',
    ],
    [
      'Content-Length beyond the datagram',
      withLine('Content-Length: 4', 'Content-Length: 40'),
      400,
      'truncated-body',
    ],
    [
      'two Call-IDs',
      withLine('Call-ID: abc@127.0.0.1', 'Call-ID: a\r\ni: b'),
      400,
      'duplicate-header',
    ],
    ['missing To', withLine('To: <sip:+14155550100@127.0.0.1>\r\n', ''), 400, 'missing-header'],
    ['unterminated quote in From', withLine('"Alice" <', '"Alice <'), 400, 'bad-header-value'],
    [
      'header line without colon',
      withLine('Max-Forwards: 70', 'Max-Forwards 70'),
      400,
      'bad-header-line',
    ],
    [
      'malformed Via transport part',
      withLine('SIP/2.0/UDP 127', 'SIP/2.0 127'),
      400,
      'bad-header-value',
    ],
  ];
  for (const [name, text, status, code] of rejects) {
    it(`rejects ${name} with ${status}`, () => {
      const r = parse(text);
      assert.ok(!r.ok);
      assert.equal(r.code, code);
      assert.equal(r.status, status);
      assert.ok(r.reply, 'a response can be routed');
    });
  }

  it('drops what cannot be answered: no Via, responses, garbage, empty', () => {
    for (const text of [
      withLine('Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n', ''),
      'SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n',
      '\x00\x01\x02 binary',
      '\r\n\r\n',
      '',
    ]) {
      const r = parse(text);
      assert.ok(!r.ok);
      assert.equal(r.reply, undefined, JSON.stringify(text));
    }
  });

  it('bounds header count and header length', () => {
    const many = INVITE.replace(
      'Max-Forwards: 70',
      Array.from({ length: 300 }, (_, i) => `X-H${i}: 1`).join('\r\n'),
    );
    const long = INVITE.replace('Max-Forwards: 70', `X-Long: ${'a'.repeat(9000)}`);
    for (const text of [many, long]) {
      const r = parse(text);
      assert.ok(!r.ok);
      assert.ok(r.code === 'too-many-headers' || r.code === 'header-too-long');
    }
    const huge = parseMessage(Buffer.alloc(70_000, 0x41));
    assert.ok(!huge.ok && huge.code === 'too-large');
  });
});

describe('RFC 4475 torture messages', () => {
  const corpus = loadRfc4475();
  if (typeof corpus === 'string') {
    it(corpus, { skip: corpus }, () => undefined);
    return;
  }
  for (const c of corpus) {
    it(`${c.name}: ${c.expected} -> ${c.score}`, () => {
      const r = parseMessage(c.data);
      if (c.expected === 'valid') {
        assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.detail}`);
        assert.equal(r.message.kind, c.kind);
        return;
      }
      if (c.score === 'drop') {
        assert.ok(r.ok ? r.message.kind === 'response' : r.reply === undefined, 'dropped');
        return;
      }
      const codes = rejectCodes(c.score);
      if (r.ok) {
        // Only a lenient parse, or a request the UAS rejects later with one of the codes, may pass.
        assert.ok(c.lenientOk || codes.includes(501), `${c.name} parsed but must be rejected`);
        return;
      }
      assert.ok(r.reply, 'a rejection must be routable');
      assert.ok(codes.includes(r.status), `status ${r.status} not in ${codes.join(',')}`);
    });
  }
});
