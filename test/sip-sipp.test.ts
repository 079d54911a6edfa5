// The SIP endpoint on real sockets against the real sipp binary (UAS and UAC roles).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SipEndpoint, type Dialog, type IncomingInvite } from '../media-node/src/sip/index.js';
import {
  runSippScenario,
  sippMissing,
  startOneCallUas,
  waitForTcpListener,
} from './harness/sipp.js';
import { freePorts } from '@voicefleet/devtools/processes';

const skip = sippMissing();

function answerSdp(direction = 'sendrecv'): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

function once<T>(register: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve));
}

describe('endpoint as UAS for sipp calls', { skip }, () => {
  let ep: SipEndpoint;
  let onInvite: (inv: IncomingInvite) => void = (inv) => inv.reject(500);
  const uac = async (scenario: string, transport: 'udp' | 'tcp' = 'udp') => {
    const [port = 0, mediaPort = 0] = await freePorts(2);
    return runSippScenario({
      scenario,
      target: `127.0.0.1:${ep.port}`,
      port,
      mediaPort,
      transport,
    });
  };
  /** Answers the next call and resolves with its confirmed dialog. */
  const answerNext = () =>
    once<Dialog>((resolve) => {
      onInvite = (inv) => {
        inv.progress(180);
        void inv.accept(answerSdp()).then(resolve);
      };
    });

  before(async () => {
    ep = await SipEndpoint.listen({ host: '127.0.0.1', port: 0, userAgent: 'voicefleet-test' });
    ep.on('invite', (inv) => onInvite(inv));
  });
  after(async () => {
    await ep.close();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`answers a call over ${transport} and sees sipp hang up`, async () => {
      const dialog = answerNext();
      const run = uac('sip-uac-call.xml', transport);
      const d = await dialog;
      const ended = once<string>((r) => d.on('ended', (e) => r(e.reason)));
      const result = await run;
      assert.equal(result.code, 0, result.output);
      assert.equal(await ended, 'remote-bye');
      assert.equal(ep.dialogCount, 0);
    });
  }

  it('answers 487 when sipp cancels while ringing', async () => {
    const cancelled = once<IncomingInvite>((resolve) => {
      onInvite = (inv) => {
        inv.on('cancel', () => resolve(inv));
        inv.progress(180);
      };
    });
    const result = await uac('sip-uac-cancel.xml');
    assert.equal(result.code, 0, result.output);
    assert.equal((await cancelled).state, 'cancelled');
  });

  it('hangs up from our side with BYE', async () => {
    const dialog = answerNext();
    const run = uac('sip-uac-remote-bye.xml');
    const d = await dialog;
    await d.bye();
    assert.equal(d.state, 'terminated');
    const result = await run;
    assert.equal(result.code, 0, result.output);
  });

  it('retransmits the 200 over UDP until the ACK arrives', async () => {
    const retransmissionsBefore = ep.counters.retransmissions;
    const dialog = answerNext();
    const run = uac('sip-uac-lost-ack.xml');
    const d = await dialog;
    const result = await run;
    assert.equal(result.code, 0, result.output);
    assert.equal(d.state, 'terminated');
    // sipp holds its ACK for 1.8 s: the 200 goes out again at T1 and 3*T1.
    assert.ok(ep.counters.retransmissions - retransmissionsBefore >= 2);
  });

  it('answers a hold re-INVITE with the handler SDP', async () => {
    const offers: Array<string | undefined> = [];
    const dialog = answerNext();
    const run = uac('sip-uac-reinvite.xml');
    const d = await dialog;
    d.onReinvite = (offer) => {
      offers.push(offer);
      return answerSdp(offer?.includes('a=sendonly') ? 'recvonly' : 'sendrecv');
    };
    const result = await run;
    assert.equal(result.code, 0, result.output);
    assert.equal(offers.length, 1);
    assert.match(offers[0] ?? '', /a=sendonly/);
  });

  it('answers OPTIONS 200 while accepting and 503 while draining', async () => {
    ep.onOptions = () => ({ status: 200 });
    assert.equal((await uac('sip-options-200.xml')).code, 0);
    ep.onOptions = () => ({ status: 503, headers: [['retry-after', '30']] });
    const result = await uac('sip-options-503.xml');
    ep.onOptions = () => ({ status: 200 });
    assert.equal(result.code, 0, result.output);
  });
});

describe('endpoint as UAC calling a sipp UAS', { skip }, () => {
  let ep: SipEndpoint;
  before(async () => {
    ep = await SipEndpoint.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await ep.close();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`places a call over ${transport}, gets ringing and the answer, hangs up`, async () => {
      const [port = 0, mediaPort = 0] = await freePorts(2);
      const uas = startOneCallUas({ scenario: 'uas', port, mediaPort, transport });
      try {
        // UDP: retransmissions cover a slow start; TCP: wait until sipp accepts connections.
        if (transport === 'tcp') await waitForTcpListener(port);
        else await new Promise((r) => setTimeout(r, 300));
        const progress: number[] = [];
        const suffix = transport === 'tcp' ? ';transport=tcp' : '';
        const dialog = await ep.invite({
          target: `sip:service@127.0.0.1:${port}${suffix}`,
          from: '"Agent" <sip:agent@127.0.0.1>',
          sdp: answerSdp(),
          onProgress: (status) => progress.push(status),
        });
        assert.deepEqual(progress, [180]);
        assert.equal(dialog.role, 'uac');
        await dialog.bye();
        const result = await uas.done;
        assert.equal(result.code, 0, result.output);
      } finally {
        uas.stop();
      }
    });
  }
});
