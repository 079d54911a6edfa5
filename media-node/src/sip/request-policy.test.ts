import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ValidRequest } from './message.js';
import { parseMessage } from './parser.js';
import { decideOutOfDialog } from './request-policy.js';
import { DEFAULT_SESSION_TIMER } from './session-timer.js';

function request(
  method: string,
  extra: string[] = [],
  uri = 'sip:agent@127.0.0.1',
  body = '',
): ValidRequest {
  const text = [
    `${method} ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-p',
    'From: <sip:a@127.0.0.1>;tag=1',
    'To: <sip:agent@127.0.0.1>',
    'Call-ID: policy',
    `CSeq: 1 ${method}`,
    ...extra,
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
  const r = parseMessage(Buffer.from(text));
  assert.ok(r.ok && r.message.kind === 'request', text);
  return r.message;
}

const decide = (req: ValidRequest) => {
  const d = decideOutOfDialog(req, DEFAULT_SESSION_TIMER);
  return d.kind === 'respond' ? d.status : d.kind;
};

it('decides what to do with requests outside a dialog', () => {
  const cases: Array<[string, ValidRequest, number | string]> = [
    [
      'INVITE with SDP goes to the application',
      request('INVITE', ['Content-Type: application/sdp'], undefined, 'v=0\r\n'),
      'invite',
    ],
    ['INVITE without a body (delayed offer) too', request('INVITE'), 'invite'],
    ['OPTIONS is answered by the endpoint', request('OPTIONS'), 'options'],
    [
      'OPTIONS with Max-Forwards 0 still (RFC 3261 §11)',
      request('OPTIONS', ['Max-Forwards: 0']),
      'options',
    ],
    ['INVITE with Max-Forwards 0 is a loop', request('INVITE', ['Max-Forwards: 0']), 483],
    ['REGISTER is not served', request('REGISTER'), 405],
    ['SUBSCRIBE is not served', request('SUBSCRIBE'), 405],
    ['BYE outside a dialog', request('BYE'), 481],
    ['unknown method', request('FOO'), 501],
    ['tel: Request-URI is fine', request('OPTIONS', [], 'tel:+14155550100'), 'options'],
    ['unknown URI scheme', request('OPTIONS', [], 'http://example.com'), 416],
    ['unsupported Require', request('INVITE', ['Require: 100rel']), 420],
    ['Require: timer is supported (RFC 4028)', request('INVITE', ['Require: timer']), 'invite'],
    ['UPDATE outside a dialog', request('UPDATE'), 481],
    [
      'a session interval below our Min-SE, from a caller that reads 422',
      request('INVITE', ['Supported: timer', 'Session-Expires: 60']),
      422,
    ],
    [
      'the same interval from a caller that cannot read 422 is taken',
      request('INVITE', ['Session-Expires: 60']),
      'invite',
    ],
    ['non-SDP body', request('INVITE', ['Content-Type: text/plain'], undefined, 'hello'), 415],
    ['Accept without SDP', request('INVITE', ['Accept: text/plain']), 406],
    ['Accept with wildcard', request('INVITE', ['Accept: */*']), 'invite'],
  ];
  for (const [name, req, expected] of cases) assert.equal(decide(req), expected, name);
});
