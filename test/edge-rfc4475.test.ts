// RFC 4475 torture messages sent to the edge (a real Kamailio with the chart's configuration),
// from a source inside a trunk's ACL so that every message meets the routing logic: a valid
// request is never answered 400, an invalid one is answered with the RFC's code (400, or 505 for
// another SIP version) even when Kamailio's own parser refuses it, and the edge keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EdgeWriter, KamailioRpcClient, desiredRoutingState } from '../operator/src/edge/index.js';
import { freePorts, waitFor } from '@voicefleet/devtools/processes';
import { edgeAgent, edgeSlices, edgeTrunk } from './harness/kamailio-fixtures.js';
import { startKamailioPeer, type KamailioPeer } from './harness/kamailio-peer.js';
import { kamailioAvailable, startKamailio, type KamailioInstance } from './harness/kamailio.js';
import { loadRfc4475, rejectCodes, type TortureCase } from './harness/rfc4475-corpus.js';
import { sendTcp, sendUdp, statusCodes } from './harness/sip-raw.js';
import { sipRequest } from './harness/sip-probe.js';

const corpus = loadRfc4475();
if (!kamailioAvailable() && process.env['CI'] === 'true')
  throw new Error('kamailio is required in CI');
const skip =
  typeof corpus === 'string' ? corpus : kamailioAvailable() ? false : 'kamailio not installed';
const requests: TortureCase[] =
  typeof corpus === 'string' ? [] : corpus.filter((c) => c.kind === 'request');

/**
 * What the edge answers each valid request with. The edge is a proxy that routes INVITEs by the
 * dialled number: an unknown number is 404, any other method 405, Max-Forwards 0 is 483 (a proxy's
 * answer, RFC 3261 §16.3), an unroutable Request-URI scheme 416 (§8.2.2.1). `intmeth` and `esc02`
 * carry header names Kamailio 5.6's parser refuses: the edge answers their unknown methods 405
 * from the raw message. `null`: `wsinv`'s folded CSeq, which Kamailio cannot parse, is dropped
 * rather than refused as if it were invalid; docs/edge.md says so.
 */
const EDGE_ANSWERS: Record<string, number | null> = {
  wsinv: null,
  intmeth: 405,
  esc02: 405,
  esc01: 404,
  escnull: 405,
  lwsdisp: 405,
  longreq: 404,
  dblreq: 405,
  semiuri: 405,
  transports: 405,
  mpart01: 405,
  unkscm: 416,
  novelsc: 416,
  unksm2: 405,
  bext01: 405,
  invut: 404,
  regaut01: 405,
  zeromf: 483,
  cparam01: 405,
  cparam02: 405,
  regescrt: 405,
  sdp01: 404,
  inv2543: 404,
};

const NUMBER = '+14155550100';

describe('RFC 4475 torture messages against the edge', { skip, timeout: 120_000 }, () => {
  let kam: KamailioInstance;
  let media: KamailioPeer;

  before(async () => {
    kam = await startKamailio();
    const [mediaPort = 0, gatewayPort = 0] = await freePorts(2);
    media = await startKamailioPeer(mediaPort, { kind: 'answer', code: 486 });
    const writer = new EdgeWriter(
      new KamailioRpcClient({ name: 'test', rpcUrl: kam.rpcUrl, token: kam.token }),
    );
    const desired = desiredRoutingState({
      agents: [edgeAgent('front-desk', [NUMBER])],
      trunks: [edgeTrunk('carrier', [{ name: 'gw', port: gatewayPort }])],
      endpointSlices: edgeSlices('front-desk', [{ name: 'pod-0', port: mediaPort }]),
      drainMarks: new Set(),
      credentials: new Map(),
      region: { region: 'local', peerEdges: [] },
      setIds: new Map(),
    });
    await writer.sync(desired.state);
    await waitFor(
      async () =>
        (await writer.health()).some(
          (h) => h.uri === `sip:127.0.0.1:${mediaPort}` && h.flag === 'A',
        ),
      { timeoutMs: 5000, message: 'media node up at the edge' },
    );
  });
  after(async () => {
    await media?.close();
    await kam?.stop();
  });

  it('answers every valid request over UDP as a proxy should, never 400', async () => {
    const answers = await Promise.all(
      requests.map(async (c) => statusCodes(await sendUdp(kam.sipPort, c.data, 2_000))),
    );
    const got: Record<string, number | null> = {};
    requests.forEach((c, i) => {
      if (c.expected === 'valid') got[c.name] = answers[i]?.find((s) => s >= 200) ?? null;
    });
    assert.deepEqual(got, EDGE_ANSWERS);
  });

  it('answers every invalid request over UDP and TCP with its RFC code, and keeps serving', async () => {
    const invalid = requests.filter((c) => c.expected === 'invalid');
    const answers = await Promise.all(
      invalid.map(async (c) => ({
        udp: statusCodes(await sendUdp(kam.sipPort, c.data, 2_000)).find((s) => s >= 200),
        tcp: statusCodes([await sendTcp(kam.sipPort, c.data, 2_000)]).find((s) => s >= 200),
      })),
    );
    const problems: string[] = [];
    invalid.forEach((c, i) => {
      for (const transport of ['udp', 'tcp'] as const) {
        const got = answers[i]?.[transport];
        // Over TCP a Content-Length beyond the data is a message still arriving (RFC 4475 §3.1.2.2).
        if (transport === 'tcp' && c.name === 'clerr') continue;
        const ok =
          c.score === 'drop'
            ? got === undefined
            : c.lenientOk
              ? got !== undefined
              : got !== undefined && rejectCodes(c.score).includes(got);
        if (!ok) problems.push(`${c.name} over ${transport}: ${got ?? 'no answer'}`);
      }
    });
    assert.deepEqual(problems, []);
    assert.equal(media.invites.length, 0, 'no invalid request reached a media node');
    const options = await sipRequest({ method: 'OPTIONS', host: '127.0.0.1', port: kam.sipPort });
    assert.match(options, /^SIP\/2\.0 200 /);
  });

  it('a 400 written from a message the parser refused carries its Via, From, To, Call-ID and CSeq', async () => {
    const badinv01 = requests.find((c) => c.name === 'badinv01');
    assert.ok(badinv01);
    const [reply] = await sendUdp(kam.sipPort, badinv01.data, 2_000);
    const text = reply?.toString('latin1') ?? '';
    assert.match(text, /^SIP\/2\.0 400 Bad Request\r\n/);
    for (const header of [
      'Via: SIP/2.0/UDP 192.0.2.15;;,;,,',
      'From: sip:caller@example.net;tag=134161461246',
      'To: sip:j.user@example.com',
      'Call-ID: badinv01.0ha0isndaksdjasdf3234nas',
      'CSeq: 8 INVITE',
    ])
      assert.ok(text.includes(`\r\n${header}\r\n`), `${header} in:\n${text}`);
    assert.match(text, /\r\nContent-Length: 0\r\n\r\n$/);
  });

  it('over TCP answers the valid requests as over UDP', async () => {
    const answers = await Promise.all(
      requests
        .filter((c) => c.expected === 'valid')
        .map(async (c) => [c.name, await sendTcp(kam.sipPort, c.data, 2_000)] as const),
    );
    const got: Record<string, number | null> = {};
    for (const [name, bytes] of answers) got[name] = statusCodes([bytes])[0] ?? null;
    assert.deepEqual(got, EDGE_ANSWERS);
  });

  it('routes an INVITE with octets after its body to the media node (RFC 3261 §18.3)', async () => {
    const sdp = [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 40000 RTP/AVP 0',
      '',
    ].join('\r\n');
    const invite = [
      `INVITE sip:${NUMBER}@127.0.0.1:${kam.sipPort} SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-trailing-octets;rport',
      'From: <sip:caller@127.0.0.1>;tag=trailing',
      `To: <sip:${NUMBER}@127.0.0.1>`,
      'Call-ID: trailing-octets-1',
      'CSeq: 1 INVITE',
      'Max-Forwards: 70',
      'Contact: <sip:caller@127.0.0.1:5099>',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '',
      sdp,
    ].join('\r\n');
    const trailing = 'INVITE sip:joe@example.com SIP/2.0\r\nt: sip:joe@example.com\r\n\r\n';
    const answers = statusCodes(await sendUdp(kam.sipPort, Buffer.from(invite + trailing), 3_000));
    assert.equal(
      answers.find((s) => s >= 200),
      486,
      `answers: ${answers.join(',')}`,
    );
    const routed = media.invites.find((i) => i.callId === 'trailing-octets-1');
    assert.ok(routed, 'the media node received the INVITE');
    const end = routed.raw.indexOf('\r\n\r\n');
    const head = routed.raw.slice(0, end);
    const body = routed.raw.slice(end + 4);
    assert.equal(body, sdp, 'the body as sent, without the octets after it');
    assert.match(head, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(sdp)}(\r\n|$)`));
    assert.equal(head.match(/\r\nContent-Type: application\/sdp/g)?.length, 1);
  });
});
