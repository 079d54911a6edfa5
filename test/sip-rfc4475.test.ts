// RFC 4475 torture messages sent to a live endpoint over UDP and TCP: valid requests are
// processed (never 400), invalid ones get 400 / 505 or are dropped as the manifest says.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { SipEndpoint } from '../media-node/src/sip/index.js';
import { loadRfc4475, rejectCodes, type TortureCase } from './harness/rfc4475-corpus.js';
import { sendTcp, sendUdp, statusCodes } from './harness/sip-raw.js';

const corpus = loadRfc4475();
const skip = typeof corpus === 'string' ? corpus : undefined;
const cases: TortureCase[] = typeof corpus === 'string' ? [] : corpus;

/** Final answers a UAS must give to valid requests, where the RFC names one. */
const EXPECTED: Record<string, number> = {
  intmeth: 501,
  esc02: 501,
  unkscm: 416,
  novelsc: 416,
  bext01: 420,
  invut: 415,
  sdp01: 406,
  zeromf: 200,
  lwsdisp: 200,
  transports: 200,
  dblreq: 405,
  wsinv: 481,
};

describe('RFC 4475 torture messages against a live endpoint', { skip }, () => {
  let ep: SipEndpoint;
  before(async () => {
    // The messages carry foreign Via hosts and port 5060: answer to the source port instead.
    ep = await SipEndpoint.listen({ host: '127.0.0.1', port: 0, forceRport: true });
    ep.on('invite', (inv) => inv.reject(486));
  });
  after(async () => {
    await ep.close();
  });

  // Several messages share a branch and sent-by, so each goes to its own endpoint (to one
  // endpoint the second would rightly be a retransmission of the first).
  const perCase = async <T>(
    transport: 'udp' | 'tcp',
    fn: (port: number, c: TortureCase) => Promise<T>,
  ) =>
    Promise.all(
      cases.map(async (c) => {
        const one = await SipEndpoint.listen({
          host: '127.0.0.1',
          port: 0,
          forceRport: true,
          transports: [transport],
        });
        one.on('invite', (inv) => inv.reject(486));
        try {
          return {
            result: await fn(one.port, c),
            parseErrors: [...one.counters.parseErrors.values()].reduce((a, b) => a + b, 0),
          };
        } finally {
          await one.close();
        }
      }),
    );

  it('answers each over UDP as the manifest says', async () => {
    const runs = await perCase('udp', (port, c) => sendUdp(port, c.data, 3_000));
    const results = runs.map((r) => r.result);
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const got = statusCodes(results[i] ?? []);
      const finals = got.filter((s) => s >= 200);
      const first = finals[0];
      const expected = EXPECTED[c.name];
      if (c.score === 'valid') {
        if (first === undefined || first === 400)
          problems.push(`${c.name}: got ${got.join(',') || 'nothing'}`);
        else if (expected !== undefined && first !== expected)
          problems.push(`${c.name}: ${first} != ${expected}`);
      } else if (c.score === 'drop') {
        if (got.length > 0) problems.push(`${c.name}: answered ${got.join(',')}, must drop`);
      } else {
        const codes = rejectCodes(c.score);
        const ok = first !== undefined && (codes.includes(first) || (c.lenientOk && first !== 400));
        if (!ok)
          problems.push(`${c.name}: got ${got.join(',') || 'nothing'}, want ${codes.join('/')}`);
      }
    });
    assert.deepEqual(problems, []);
    cases.forEach((c, i) => {
      if (c.expected === 'invalid' && !c.lenientOk)
        assert.ok((runs[i]?.parseErrors ?? 0) > 0, `${c.name} counted as a parse error`);
    });
  });

  it('over TCP never answers a valid request with 400, and keeps serving', async () => {
    const answers = (await perCase('tcp', (port, c) => sendTcp(port, c.data, 3_000))).map(
      (r) => r.result,
    );
    cases.forEach((c, i) => {
      const first = /^SIP\/2\.0 (\d{3})/.exec((answers[i] ?? Buffer.alloc(0)).toString('latin1'));
      // inv2543 has no Content-Length: on a stream its body is read as a second (bad) message.
      if (c.kind === 'request' && c.score === 'valid' && c.name !== 'inv2543') {
        assert.notEqual(first?.[1], '400', `${c.name} over TCP`);
        assert.ok(first, `${c.name} over TCP got no answer`);
      }
    });
    const options = cases.find((c) => c.name === 'zeromf');
    assert.ok(options);
    assert.match((await sendTcp(ep.port, options.data, 3_000)).toString(), /^SIP\/2\.0 200 /);
  });

  it('routes a response to the Via sent-by port when there is no rport (RFC 3261 §18.2.2)', async () => {
    const plain = await SipEndpoint.listen({ host: '127.0.0.1', port: 0, transports: ['udp'] });
    const listener = dgram.createSocket('udp4');
    const got: Buffer[] = [];
    listener.on('message', (m) => got.push(m));
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', r));
    try {
      const viaPort = listener.address().port;
      const options = [
        `OPTIONS sip:node@127.0.0.1:${plain.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${viaPort};branch=z9hG4bK-via-port`,
        'From: <sip:probe@127.0.0.1>;tag=1',
        'To: <sip:node@127.0.0.1>',
        'Call-ID: via-port-test',
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const fromOther = await sendUdp(plain.port, Buffer.from(options), 1_000);
      assert.equal(fromOther.length, 0, 'no answer to the source port');
      assert.deepEqual(statusCodes(got), [200]);
      const withRport = options
        .replace('branch=z9hG4bK-via-port', 'branch=z9hG4bK-rport;rport')
        .replace('Call-ID: via-port-test', 'Call-ID: rport-test');
      const toSource = await sendUdp(plain.port, Buffer.from(withRport), 3_000);
      assert.deepEqual(statusCodes(toSource), [200]);
      assert.match(toSource[0]?.toString() ?? '', /;rport=\d+/);
    } finally {
      listener.close();
      await plain.close();
    }
  });
});
