// Fuzz: >= 100,000 seeded mutations of valid SIP messages and the RFC 4475 corpus thrown at a
// live endpoint's UDP and TCP sockets. Afterwards the endpoint still serves a real sipp call. The
// media node's SIP front (its UDP socket on the RTP thread, which answers new calls on arrival)
// gets a run of its own: its thread must not fall over, and it still answers a sipp call.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { callSessionOptions } from '../media-node/src/adapters/rtp-media.js';
import { AdmissionBoard, RtpThread } from '../media-node/src/rtp-thread/index.js';
import {
  SipEndpoint,
  type IncomingInvite,
  type SipEndpointOptions,
} from '../media-node/src/sip/index.js';
import { DEFAULT_PARSE_LIMITS, DEFAULT_SESSION_TIMER } from '../media-node/src/sip/index.js';
import { mutate, prng } from './harness/sip-mutate.js';
import { loadRfc4475 } from './harness/rfc4475-corpus.js';
import { runSippScenario, sippMissing } from './harness/sipp.js';
import { freePorts } from '@voicefleet/devtools/processes';

const SEED = Number(process.env.SIP_FUZZ_SEED ?? 4475);
const UDP_MESSAGES = 85_000;
const TCP_MESSAGES = 15_000;
const DEADLINE_MS = 50_000;
const PACING_MS = 30_000;

function seeds(port: number): Buffer[] {
  const common = (method: string, seq: number, toTag = '') => [
    `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-fuzz-${method};rport`,
    'Max-Forwards: 70',
    'From: "Fuzz" <sip:fuzz@127.0.0.1>;tag=f1',
    `To: <sip:agent@127.0.0.1:${port}>${toTag}`,
    `Call-ID: fuzz-${method}@127.0.0.1`,
    `CSeq: ${seq} ${method}`,
    'Contact: <sip:fuzz@127.0.0.1:5999>',
  ];
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  const req = (method: string, seq: number, body = '', toTag = '') =>
    Buffer.from(
      [
        `${method} sip:agent@127.0.0.1:${port} SIP/2.0`,
        ...common(method, seq, toTag),
        ...(body ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${body.length}`,
        '',
        body,
      ].join('\r\n'),
    );
  const res = (status: string) =>
    Buffer.from(
      ['SIP/2.0 ' + status, ...common('INVITE', 1, ';tag=t1'), 'Content-Length: 0', '', ''].join(
        '\r\n',
      ),
    );
  return [
    req('INVITE', 1, sdp),
    req('BYE', 2, '', ';tag=t1'),
    req('OPTIONS', 3),
    req('CANCEL', 1),
    req('ACK', 1, '', ';tag=t1'),
    req('INFO', 4, 'Signal=5\r\nDuration=160\r\n', ';tag=t1'),
    res('180 Ringing'),
    res('200 OK'),
    res('486 Busy Here'),
  ];
}

/** Gives a tenth of the messages a fresh branch so they open new transactions. */
function freshBranch(msg: Buffer, n: number, rnd: () => number): Buffer {
  return rnd() < 0.1
    ? Buffer.from(
        msg.toString('latin1').replace(/branch=z9hG4bK[^;\r\n]*/, `branch=z9hG4bK-n${n}`),
        'latin1',
      )
    : msg;
}

/**
 * Sends up to `count` fuzzed datagrams to `port` in bursts of 100, letting the receiver keep up
 * (`handled` counts what it has taken) so most are parsed rather than dropped by the kernel; past
 * PACING_MS (a very busy machine) it stops waiting, and it stops at DEADLINE_MS. Returns the count.
 */
async function fuzzUdp(
  port: number,
  next: (n: number) => Buffer,
  handled: () => number,
  count: number,
  started: number,
): Promise<number> {
  const sender = dgram.createSocket('udp4');
  sender.on('message', () => undefined);
  await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
  let sent = 0;
  while (sent < count && Date.now() - started < DEADLINE_MS) {
    for (let i = 0; i < 100; i++) sender.send(next(sent++), port, '127.0.0.1');
    let seen = -1;
    for (let w = 0; w < 20 && Date.now() - started < PACING_MS; w++) {
      if (handled() === seen || handled() >= sent) break;
      seen = handled();
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
  }
  sender.close();
  return sent;
}

/** An endpoint on loopback that collects what it logs as errors and hands INVITEs to `handler()`. */
async function listenFuzzed(
  errors: string[],
  handler: () => (inv: IncomingInvite) => void,
  options: Partial<SipEndpointOptions> = {},
): Promise<SipEndpoint> {
  const ep = await SipEndpoint.listen({
    host: '127.0.0.1',
    port: 0,
    forceRport: true,
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m, a) => errors.push(`${m} ${JSON.stringify(a)}`),
    },
    ...options,
  });
  ep.on('invite', (inv) => handler()(inv));
  return ep;
}

/** A real sipp call (INVITE, ACK, BYE) to `port`, which must complete. */
async function sippCall(target: number): Promise<void> {
  const [port = 0, mediaPort = 0] = await freePorts(2);
  const result = await runSippScenario({
    scenario: 'sip-uac-call.xml',
    target: `127.0.0.1:${target}`,
    port,
    mediaPort,
  });
  assert.equal(result.code, 0, result.output);
}

const skip = sippMissing();

describe('SIP endpoint under fuzzed input', { skip }, () => {
  let ep: SipEndpoint;
  let onInvite = (inv: IncomingInvite) => inv.reject(486);
  const errors: string[] = [];
  before(async () => {
    ep = await listenFuzzed(errors, () => onInvite);
  });
  after(async () => {
    await ep?.close();
  });

  it(`survives ${UDP_MESSAGES + TCP_MESSAGES} mutated messages over UDP and TCP (seed ${SEED})`, async (t) => {
    const rnd = prng(SEED);
    const corpus = loadRfc4475();
    const pool = [
      ...seeds(ep.port),
      ...(typeof corpus === 'string' ? [] : corpus.map((c) => c.data)),
    ];
    const next = (n: number) =>
      freshBranch(mutate(pool[Math.floor(rnd() * pool.length)]!, rnd), n, rnd);
    const started = Date.now();

    const udpSent = await fuzzUdp(
      ep.port,
      next,
      () => ep.counters.messagesReceived,
      UDP_MESSAGES,
      started,
    );
    const udpMs = Date.now() - started;

    let tcpSent = 0;
    while (tcpSent < TCP_MESSAGES && Date.now() - started < DEADLINE_MS) {
      const batch = Array.from({ length: 16 }, () => {
        const socket = net.connect(ep.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.resume(); // read (and discard) answers so the server's FIN is seen
        for (let i = 0; i < 25; i++) socket.write(next(tcpSent++));
        return new Promise<void>((resolve) => {
          socket.end();
          socket.on('close', () => resolve());
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 2000);
        });
      });
      await Promise.all(batch);
    }

    assert.ok(
      udpSent + tcpSent >= 100_000,
      `sent ${udpSent} + ${tcpSent} within ${DEADLINE_MS} ms`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const c = ep.counters;
    const parseErrors = [...c.parseErrors.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(
      `sent udp=${udpSent} tcp=${tcpSent} in ${Date.now() - started} ms (udp ${udpMs} ms); handled ${c.messagesReceived}, ` +
        `requests ${c.requestsReceived}, parse errors ${parseErrors}`,
    );
    assert.ok(c.messagesReceived > 50_000, `endpoint handled ${c.messagesReceived} messages`);
    assert.ok(
      parseErrors > 10_000 && c.requestsReceived > 1_000,
      `parse errors ${parseErrors}, requests ${c.requestsReceived}`,
    );
    assert.deepEqual(errors, [], 'no handler failed');
  });

  it('still completes a real sipp call afterwards', async () => {
    onInvite = (inv) =>
      void inv.accept(
        'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n',
      );
    await sippCall(ep.port);
  });
});

describe('the media node’s SIP front under fuzzed input', { skip }, () => {
  const FRONT_MESSAGES = 30_000;
  let thread: RtpThread;
  let ep: SipEndpoint;
  let onInvite = (inv: IncomingInvite) => inv.reject(486);
  const errors: string[] = [];
  before(async () => {
    thread = await RtpThread.start();
    ep = await listenFuzzed(errors, () => onInvite, {
      port: 0,
      bindUdp: (host, port) => thread.listenSip(host, port),
    });
    const board = new AdmissionBoard();
    board.publish({ accepting: true, maxCalls: 100_000, activeCalls: 0 });
    thread.answerOnArrival({
      board,
      contact: ep.contact('udp'),
      forceRport: true,
      limits: DEFAULT_PARSE_LIMITS,
      codecs: ['PCMU', 'PCMA'],
      mediaAddress: '127.0.0.1',
      sessionTimer: DEFAULT_SESSION_TIMER,
      rtpHost: '127.0.0.1',
      portRange: { min: 36000, max: 39999 },
      session: callSessionOptions({ mediaTimeoutMs: 5_000 }),
    });
  });
  after(async () => {
    // a failed start leaves either unset; the thread must go all the same, or the file never ends
    await ep?.close();
    await thread?.close();
  });

  it(`survives ${FRONT_MESSAGES} mutated datagrams, answering the calls among them (seed ${SEED})`, async (t) => {
    const rnd = prng(SEED + 1);
    const corpus = loadRfc4475();
    // INVITEs weigh double: they are what the thread parses and answers itself
    const own = seeds(ep.port);
    const pool = [
      ...own,
      ...own.filter((m) => m.toString('latin1').startsWith('INVITE ')),
      ...(typeof corpus === 'string' ? [] : corpus.map((c) => c.data)),
    ];
    const next = (n: number) =>
      freshBranch(mutate(pool[Math.floor(rnd() * pool.length)]!, rnd), n, rnd);
    const worker = thread['worker'];
    let answered = 0;
    onInvite = (inv) => {
      if (inv.answered) answered++;
      inv.reject(486); // an answered one is taken over and hung up
    };
    const started = Date.now();
    const sent = await fuzzUdp(
      ep.port,
      next,
      () => ep.counters.messagesReceived,
      FRONT_MESSAGES,
      started,
    );
    await new Promise((r) => setTimeout(r, 200));
    const c = ep.counters;
    t.diagnostic(
      `sent ${sent} in ${Date.now() - started} ms; handled ${c.messagesReceived}, ` +
        `answered on arrival ${answered}`,
    );
    assert.equal(sent, FRONT_MESSAGES);
    assert.equal(thread['worker'], worker, 'the RTP thread never fell over');
    assert.ok(c.messagesReceived > FRONT_MESSAGES / 2, `endpoint handled ${c.messagesReceived}`);
    assert.ok(answered > 50, `${answered} calls answered on arrival`);
    assert.deepEqual(errors, [], 'no handler failed');
  });

  it('still answers a real sipp call afterwards, on arrival', async () => {
    let answered: boolean | undefined;
    onInvite = (inv) => {
      answered = inv.answered !== undefined;
      void inv.accept('');
    };
    await sippCall(ep.port);
    assert.equal(answered, true, 'the RTP thread answered it');
  });
});
