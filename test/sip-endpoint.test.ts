// Endpoint behaviour on real loopback sockets: calls between two endpoints, a missing ACK
// (Timer H), cancelling an outbound call, digest authentication against sipp.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  SipEndpoint,
  SipError,
  type Dialog,
  type IncomingInvite,
} from '../media-node/src/sip/index.js';
import { sippMissing, startOneCallUas } from './harness/sipp.js';
import { freePorts } from '@voicefleet/devtools/processes';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
/** Fast timers so Timer B/H cases finish in about a second. */
const FAST = { t1: 20, t2: 160, t4: 200 };

describe('two endpoints on loopback', () => {
  let caller: SipEndpoint;
  let callee: SipEndpoint;
  let onInvite: (inv: IncomingInvite) => void = (inv) => inv.reject(486);
  before(async () => {
    caller = await SipEndpoint.listen({ host: '127.0.0.1', port: 0, timerValues: FAST });
    callee = await SipEndpoint.listen({ host: '127.0.0.1', port: 0, timerValues: FAST });
    callee.on('invite', (inv) => onInvite(inv));
  });
  after(async () => {
    await caller.close();
    await callee.close();
  });

  it('rejects an outbound call with the callee status', async () => {
    onInvite = (inv) => inv.reject(486, 'Busy Here');
    await assert.rejects(
      caller.invite({
        target: `sip:x@127.0.0.1:${callee.port}`,
        from: 'sip:agent@127.0.0.1',
        sdp: SDP,
      }),
      (e: unknown) => e instanceof SipError && e.status === 486,
    );
  });

  it('fails fast with 503 when a TCP target refuses the connection', async () => {
    const [closed = 0] = await freePorts(1);
    const started = Date.now();
    await assert.rejects(
      caller.invite({
        target: `sip:x@127.0.0.1:${closed};transport=tcp`,
        from: 'sip:agent@127.0.0.1',
        sdp: SDP,
      }),
      (e: unknown) => e instanceof SipError && e.status === 503,
    );
    assert.ok(Date.now() - started < 5_000, 'no wait for Timer B');
  });

  it('cancels a ringing outbound call through its AbortSignal', async () => {
    const cancelled = new Promise<void>((resolve) => {
      onInvite = (inv) => {
        inv.on('cancel', () => resolve());
        inv.progress(180);
      };
    });
    const abort = new AbortController();
    const call = caller.invite({
      target: `sip:x@127.0.0.1:${callee.port}`,
      from: 'sip:agent@127.0.0.1',
      sdp: SDP,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    await assert.rejects(call, (e: unknown) => e instanceof SipError && e.status === 487);
    await cancelled;
  });

  it('carries INFO DTMF and a REFER with its NOTIFY outcome inside the dialog', async () => {
    const answered = new Promise<Dialog>((resolve) => {
      onInvite = (inv) => void inv.accept(SDP).then(resolve);
    });
    const dialog = await caller.invite({
      target: `sip:x@127.0.0.1:${callee.port};transport=tcp`,
      from: 'sip:agent@127.0.0.1',
      sdp: SDP,
    });
    const remote = await answered;
    const digits: string[] = [];
    remote.on('info', (e) => e.dtmf && digits.push(e.dtmf.digit));
    assert.equal(await dialog.info('application/dtmf-relay', 'Signal=7\r\nDuration=160\r\n'), 200);
    assert.deepEqual(digits, ['7']);
    remote.onRefer = (target) => {
      assert.equal(target, 'sip:+14155550199@127.0.0.1');
      setTimeout(() => void remote.notifyRefer(200, 'OK', true), 10);
      return 202;
    };
    const { status, outcome } = await dialog.refer('sip:+14155550199@127.0.0.1');
    assert.equal(status, 202);
    assert.equal(await outcome, 200);
    const ended = new Promise((r) => remote.on('ended', (e) => r(e.reason)));
    await dialog.bye();
    assert.equal(await ended, 'remote-bye');
  });

  it('lets go of an ended call while its transactions still absorb retransmissions', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let call: WeakRef<object> | undefined;
    let invite: WeakRef<IncomingInvite> | undefined;
    const answered = new Promise<Dialog>((resolve) => {
      onInvite = (inv) => {
        invite = new WeakRef(inv);
        // what the node's CANCEL listener reaches: the call, its media and its agent
        const media = { audio: new Int16Array(1 << 20) };
        call = new WeakRef(media);
        inv.on('cancel', () => media.audio.fill(0));
        void inv.accept(SDP).then(resolve);
      };
    });
    const dialog = await caller.invite({
      target: `sip:x@127.0.0.1:${callee.port}`,
      from: 'sip:agent@127.0.0.1',
      sdp: SDP,
    });
    const remote = await answered;
    const ended = new Promise((r) => remote.on('ended', r));
    await dialog.bye();
    await ended;
    onInvite = (inv) => inv.reject(486);
    await new Promise((r) => setImmediate(r)); // a WeakRef holds its target to the end of the turn
    gc();
    // Timer L (64 T1 = 1.3 s here, 32 s at the default T1) has not run out
    assert.equal(call?.deref(), undefined, 'the endpoint still holds the ended call');
    assert.ok(invite?.deref() === undefined, 'the endpoint still holds the INVITE');
  });

  it('gives up on a 200 that is never ACKed (Timer H) and hangs up with BYE', async () => {
    const result = new Promise<unknown>((resolve) => {
      onInvite = (inv) => void inv.accept(SDP).then(resolve, resolve);
    });
    const raw = dgram.createSocket('udp4');
    const got: string[] = [];
    raw.on('message', (m) => got.push(m.toString('latin1').split('\r\n')[0] ?? ''));
    await new Promise<void>((r) => raw.bind(0, '127.0.0.1', r));
    const port = raw.address().port;
    raw.send(
      [
        `INVITE sip:x@127.0.0.1:${callee.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-noack;rport`,
        'From: <sip:raw@127.0.0.1>;tag=r1',
        'To: <sip:x@127.0.0.1>',
        'Call-ID: no-ack-test',
        'CSeq: 1 INVITE',
        `Contact: <sip:raw@127.0.0.1:${port}>`,
        'Max-Forwards: 70',
        'Content-Type: application/sdp',
        `Content-Length: ${SDP.length}`,
        '',
        SDP,
      ].join('\r\n'),
      callee.port,
      '127.0.0.1',
    );
    const outcome = await result;
    for (let i = 0; i < 100 && !got.some((l) => l.startsWith('BYE ')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    raw.close();
    assert.ok(outcome instanceof SipError && outcome.status === 408, String(outcome));
    assert.ok(got.filter((l) => l === 'SIP/2.0 200 OK').length >= 3, got.join(' / '));
    assert.ok(
      got.some((l) => l.startsWith('BYE ')),
      'a BYE follows',
    );
  });
});

describe('digest authentication against sipp', { skip: sippMissing() }, () => {
  let ep: SipEndpoint;
  before(async () => {
    ep = await SipEndpoint.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await ep.close();
  });

  it('answers a 401 challenge and the retried INVITE is accepted', async () => {
    const [port = 0, mediaPort = 0] = await freePorts(2);
    const uas = startOneCallUas({ scenario: 'sip-uas-auth.xml', port, mediaPort });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const dialog = await ep.invite({
        target: `sip:+14155550100@127.0.0.1:${port}`,
        from: 'sip:agent@127.0.0.1',
        sdp: SDP,
        credentials: { username: 'agent', password: 'secret' },
      });
      await dialog.bye();
      const result = await uas.done;
      assert.equal(result.code, 0, result.output);
    } finally {
      uas.stop();
    }
  });
});

describe('TCP connection limits', () => {
  it('refuses connections beyond maxTcpConnections and keeps serving the others', async () => {
    const ep = await SipEndpoint.listen({
      host: '127.0.0.1',
      port: 0,
      transports: ['tcp'],
      maxTcpConnections: 2,
    });
    const options = (n: number) =>
      [
        `OPTIONS sip:node@127.0.0.1:${ep.port} SIP/2.0`,
        `Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-limit-${n}`,
        'From: <sip:probe@127.0.0.1>;tag=1',
        'To: <sip:node@127.0.0.1>',
        `Call-ID: limit-${n}`,
        `CSeq: 1 OPTIONS`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const ask = (socket: net.Socket, n: number) =>
      new Promise<string>((resolve) => {
        let got = '';
        socket.on('data', (d) => {
          got += d.toString();
          if (got.includes('\r\n\r\n')) resolve(got.split('\r\n')[0] ?? '');
        });
        socket.on('close', () => resolve(got.split('\r\n')[0] ?? 'closed'));
        socket.write(options(n));
      });
    const open = () =>
      new Promise<net.Socket>((resolve) => {
        const s = net.connect(ep.port, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
      });
    const sockets = [await open(), await open()];
    try {
      assert.equal(await ask(sockets[0]!, 0), 'SIP/2.0 200 OK');
      const third = await open();
      sockets.push(third);
      assert.notEqual(await ask(third, 2), 'SIP/2.0 200 OK', 'the third connection is not served');
      assert.equal(await ask(sockets[1]!, 1), 'SIP/2.0 200 OK');
    } finally {
      for (const s of sockets) s.destroy();
      await ep.close();
    }
  });
});
