// What the endpoint answers when a caller's requests cross its answer (RFC 3261 §9.2, §13.3.1.4,
// §14.2), what it counts as in progress (a drain waits for that), the delayed offer, and session
// timers (RFC 4028). In-memory socket, manual clock; the same races against real sipp and a real
// node are in test/sip-conformance.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALLER_OFFER,
  header,
  memoryEndpoint,
  toTag,
  type MemoryEndpoint,
} from '../../../test/harness/memory-endpoint.js';
import type { Dialog } from './dialog.js';
import { SipError } from './sip-error.js';

const ANSWER = CALLER_OFFER.replace('o=caller', 'o=node');

/** An INVITE answered 200 by the application; resolves with its To tag and accept()'s promise. */
function answeredCall(h: MemoryEndpoint, callId: string, headers: string[] = []) {
  h.send({ method: 'INVITE', callId, cseq: 1, body: CALLER_OFFER, headers });
  const invite = h.invites.at(-1)!;
  const confirmed = invite.accept(ANSWER);
  confirmed.catch(() => undefined);
  const ok = h.responses(200, 'INVITE').at(-1)!;
  return { invite, confirmed, ok, tag: toTag(ok)!, dialog: invite.dialog! };
}

describe('SipEndpoint: requests that cross the answer', () => {
  it('answers a CANCEL after the 200 with 200 and the INVITE’s To tag; the call stands', async () => {
    const h = await memoryEndpoint();
    const { tag, dialog, invite } = answeredCall(h, 'cancel-after');
    h.send({
      method: 'CANCEL',
      callId: 'cancel-after',
      cseq: 1,
      branch: 'z9hG4bK-cancel-after-INVITE',
    });
    const ok = h.responses(200, 'CANCEL');
    assert.equal(ok.length, 1);
    assert.equal(toTag(ok[0]!), tag, 'the CANCEL’s 200 carries the To tag of the INVITE’s');
    assert.equal(h.responses(487, 'INVITE').length, 0, 'no 487 after a 200');
    assert.equal(invite.state, 'answered');
    assert.equal(dialog.state, 'confirmed');
    await h.ep.close();
  });

  it('answers a CANCEL that matches nothing with 481', async () => {
    const h = await memoryEndpoint();
    h.send({ method: 'CANCEL', callId: 'nobody', cseq: 1 });
    assert.equal(h.responses(481, 'CANCEL').length, 1);
    await h.ep.close();
  });

  it('a BYE before the ACK ends the call: 200 to it, the 200 to the INVITE never again', async () => {
    const h = await memoryEndpoint();
    const { tag, confirmed, dialog } = answeredCall(h, 'bye-first');
    const ended: string[] = [];
    dialog.on('ended', ({ reason }) => ended.push(reason));
    h.send({ method: 'BYE', callId: 'bye-first', cseq: 2, toTag: tag });
    assert.equal(h.responses(200, 'BYE').length, 1);
    assert.deepEqual(ended, ['remote-bye']);
    await assert.rejects(confirmed, (e: unknown) => e instanceof SipError && e.status === 487);
    h.clock.advance(40_000);
    assert.equal(h.responses(200, 'INVITE').length, 1, 'the 200 is not retransmitted');
    assert.ok(!h.sent.some((m) => m.startsWith('BYE ')), 'no BYE of ours');
    assert.deepEqual(h.ep.inProgress, { dialogs: 0, serverTransactions: 0, clientTransactions: 0 });
    await h.ep.close();
  });

  it('counts as in progress an unanswered INVITE, a 200 without its ACK and the dialog', async () => {
    const h = await memoryEndpoint();
    h.send({ method: 'INVITE', callId: 'count', cseq: 1, body: CALLER_OFFER });
    assert.deepEqual(h.ep.inProgress, { dialogs: 0, serverTransactions: 1, clientTransactions: 0 });
    const confirmed = h.invites[0]!.accept(ANSWER);
    assert.deepEqual(h.ep.inProgress, { dialogs: 1, serverTransactions: 1, clientTransactions: 0 });
    const tag = toTag(h.responses(200, 'INVITE')[0]!)!;
    h.send({ method: 'ACK', callId: 'count', cseq: 1, toTag: tag });
    const dialog = await confirmed;
    assert.deepEqual(h.ep.inProgress, { dialogs: 1, serverTransactions: 0, clientTransactions: 0 });
    const bye = dialog.bye();
    assert.deepEqual(h.ep.inProgress, { dialogs: 0, serverTransactions: 0, clientTransactions: 1 });
    h.clock.advance(40_000); // no answer to the BYE: Timer F
    await bye;
    assert.deepEqual(h.ep.inProgress, { dialogs: 0, serverTransactions: 0, clientTransactions: 0 });
    await h.ep.close();
  });

  it('a 200 to an INVITE says what we allow and support', async () => {
    const h = await memoryEndpoint();
    const { ok } = answeredCall(h, 'allow');
    assert.match(header(ok, 'Allow') ?? '', /\bUPDATE\b/);
    assert.match(header(ok, 'Allow') ?? '', /\bINVITE\b.*\bBYE\b/);
    assert.equal(header(ok, 'Supported'), 'timer');
    assert.equal(header(ok, 'Session-Expires'), undefined, 'no timer the caller did not ask for');
    await h.ep.close();
  });

  it('a 200 to OPTIONS and a 405 say what we allow (RFC 3261 §11.2, §21.4.6)', async () => {
    const h = await memoryEndpoint();
    h.send({ method: 'OPTIONS', callId: 'probe', cseq: 1 });
    const options = h.responses(200, 'OPTIONS').at(-1);
    assert.ok(options, 'OPTIONS answered 200');
    assert.match(header(options, 'Allow') ?? '', /\bINVITE\b.*\bBYE\b/);
    assert.match(header(options, 'Allow') ?? '', /\bUPDATE\b/);
    assert.equal(header(options, 'Supported'), 'timer');
    h.send({ method: 'SUBSCRIBE', callId: 'not-served', cseq: 1 });
    const refused = h.responses(405, 'SUBSCRIBE').at(-1);
    assert.ok(refused, 'SUBSCRIBE answered 405');
    assert.match(header(refused, 'Allow') ?? '', /\bINVITE\b.*\bUPDATE\b/);
    await h.ep.close();
  });
});

describe('SipEndpoint: offers inside a dialog', () => {
  async function confirmedCall(h: MemoryEndpoint, callId: string, headers: string[] = []) {
    const call = answeredCall(h, callId, headers);
    h.send({ method: 'ACK', callId, cseq: 1, toTag: call.tag });
    return { ...call, dialog: await call.confirmed };
  }

  it('answers a re-INVITE without an offer with ours; its ACK brings the answer', async () => {
    const h = await memoryEndpoint();
    const { dialog, tag } = await confirmedCall(h, 'no-offer');
    const offers: Array<string | undefined> = [];
    dialog.onReinvite = (offer) => (offers.push(offer), 'v=0\r\no=node 1 2 IN IP4 127.0.0.1\r\n');
    const answers: Array<string | undefined> = [];
    dialog.on('answer', ({ sdp }) => answers.push(sdp));
    h.send({ method: 'INVITE', callId: 'no-offer', cseq: 2, toTag: tag, branch: 'z9hG4bK-re' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(offers, [undefined]);
    const ok = h.responses(200, 'INVITE').at(-1)!;
    assert.match(ok, /o=node 1 2/, 'our offer in the 200');
    h.send({ method: 'ACK', callId: 'no-offer', cseq: 2, toTag: tag, body: CALLER_OFFER });
    assert.deepEqual(answers, [CALLER_OFFER]);
    assert.equal(dialog.remoteSdp, CALLER_OFFER);
    await h.ep.close();
  });

  it('a second offer while the first is answered gets 500 with Retry-After; during ours, 491', async () => {
    const h = await memoryEndpoint();
    const { dialog, tag } = await confirmedCall(h, 'glare');
    let release: (sdp: string) => void = () => undefined;
    dialog.onReinvite = () => new Promise<string>((resolve) => (release = resolve));
    const reinvite = (cseq: number) =>
      h.send({
        method: 'INVITE',
        callId: 'glare',
        cseq,
        toTag: tag,
        branch: `z9hG4bK-re${cseq}`,
        body: CALLER_OFFER,
      });
    reinvite(2);
    await new Promise((resolve) => setImmediate(resolve));
    reinvite(3);
    const busy = h.responses(500, 'INVITE');
    assert.equal(busy.length, 1);
    assert.match(header(busy[0]!, 'Retry-After') ?? '', /^([0-9]|10)$/);
    release(ANSWER);
    await new Promise((resolve) => setImmediate(resolve));
    void dialog.reinvite(ANSWER).catch(() => undefined); // ours now waits for its answer
    reinvite(4);
    assert.equal(h.responses(491, 'INVITE').length, 1);
    await h.ep.close();
  });

  it('an UPDATE without a body refreshes the session; with an offer it is answered', async () => {
    const h = await memoryEndpoint();
    const { dialog, tag } = await confirmedCall(h, 'update', [
      'Supported: timer',
      'Session-Expires: 600;refresher=uac',
    ]);
    dialog.onReinvite = () => ANSWER;
    h.send({
      method: 'UPDATE',
      callId: 'update',
      cseq: 2,
      toTag: tag,
      headers: ['Supported: timer', 'Session-Expires: 600;refresher=uac'],
    });
    const refreshed = h.responses(200, 'UPDATE');
    assert.equal(refreshed.length, 1);
    assert.equal(header(refreshed[0]!, 'Session-Expires'), '600;refresher=uac');
    h.send({
      method: 'UPDATE',
      callId: 'update',
      cseq: 3,
      toTag: tag,
      branch: 'z9hG4bK-update-offer',
      body: CALLER_OFFER,
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(h.responses(200, 'UPDATE')[1] ?? '', /o=node/);
    await h.ep.close();
  });
});

describe('SipEndpoint: session timers (RFC 4028)', () => {
  const timer = (seconds: number, refresher: 'uac' | 'uas') => [
    'Supported: timer',
    `Session-Expires: ${seconds};refresher=${refresher}`,
  ];

  async function call(h: MemoryEndpoint, callId: string, headers: string[]) {
    const c = answeredCall(h, callId, headers);
    h.send({ method: 'ACK', callId, cseq: 1, toTag: c.tag });
    return { ...c, dialog: await c.confirmed };
  }

  it('the 200 agrees to the caller’s interval and refresher and requires the extension', async () => {
    const h = await memoryEndpoint();
    const { ok } = answeredCall(h, 'agree', timer(90, 'uac'));
    assert.equal(header(ok, 'Session-Expires'), '90;refresher=uac');
    assert.equal(header(ok, 'Require'), 'timer');
    await h.ep.close();
  });

  it('refuses an interval below our minimum with 422 and Min-SE', async () => {
    const h = await memoryEndpoint();
    h.send({
      method: 'INVITE',
      callId: 'short',
      cseq: 1,
      body: CALLER_OFFER,
      headers: timer(30, 'uac'),
    });
    const refused = h.responses(422, 'INVITE');
    assert.equal(refused.length, 1);
    assert.equal(header(refused[0]!, 'Min-SE'), '90');
    assert.equal(h.invites.length, 0);
    await h.ep.close();
  });

  it('hangs up with BYE when the caller’s refresh does not come, a third before expiry', async () => {
    const h = await memoryEndpoint();
    const { dialog } = await call(h, 'expire', timer(90, 'uac'));
    const ended: string[] = [];
    dialog.on('ended', ({ reason }) => ended.push(reason));
    h.clock.advance(59_000);
    assert.ok(!h.sent.some((m) => m.startsWith('BYE ')), 'not before 90 - 30 s');
    h.clock.advance(2_000);
    assert.ok(
      h.sent.some((m) => m.startsWith('BYE ')),
      'BYE at 60 s',
    );
    assert.deepEqual(ended, ['session-expired']);
    await h.ep.close();
  });

  it('a refresh by the caller (re-INVITE) starts the interval over', async () => {
    const h = await memoryEndpoint();
    const { dialog, tag } = await call(h, 'refreshed', timer(90, 'uac'));
    dialog.onReinvite = () => ANSWER;
    h.clock.advance(50_000);
    h.send({
      method: 'INVITE',
      callId: 'refreshed',
      cseq: 2,
      toTag: tag,
      branch: 'z9hG4bK-refresh',
      body: CALLER_OFFER,
      headers: timer(90, 'uac'),
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(header(h.responses(200, 'INVITE').at(-1)!, 'Session-Expires'), '90;refresher=uac');
    h.clock.advance(50_000);
    assert.ok(!h.sent.some((m) => m.startsWith('BYE ')), 'the old expiry passed without a BYE');
    assert.equal(dialog.state, 'confirmed');
    await h.ep.close();
  });

  it('when we refresh: UPDATE at half the interval to a caller that allows it, else re-INVITE', async () => {
    const h = await memoryEndpoint();
    const withUpdate = await call(h, 'we-update', [
      ...timer(90, 'uas'),
      'Allow: INVITE, ACK, BYE, UPDATE',
    ]);
    assert.deepEqual(withUpdate.dialog.sessionTimer, { seconds: 90, side: 'local' });
    const plain = await call(h, 'we-reinvite', timer(90, 'uas'));
    h.clock.advance(45_001);
    const update = h.sent.find((m) => m.startsWith('UPDATE ') && /^Call-ID: we-update\r$/m.test(m));
    assert.ok(update, 'an UPDATE refreshes');
    assert.equal(header(update, 'Session-Expires'), '90;refresher=uac');
    const reinvite = h.sent.find(
      (m) => m.startsWith('INVITE ') && /^Call-ID: we-reinvite\r$/m.test(m),
    );
    assert.ok(reinvite, 'a re-INVITE refreshes');
    assert.ok(reinvite.endsWith(ANSWER), 'with the session description we sent');
    assert.equal(plain.dialog.state, 'confirmed');
    await h.ep.close();
  });

  it('a refresh the caller answers 481 ends the session with BYE', async () => {
    const h = await memoryEndpoint();
    const { dialog } = await call(h, 'gone', [...timer(90, 'uas'), 'Allow: UPDATE']);
    const ended: string[] = [];
    dialog.on('ended', ({ reason }) => ended.push(reason));
    h.clock.advance(45_001);
    const update = h.sent.find((m) => m.startsWith('UPDATE '))!;
    const response = update
      .replace(/^UPDATE .*\r\n/, 'SIP/2.0 481 Call/Transaction Does Not Exist\r\n')
      .replace(/^Content-Length: .*$/m, 'Content-Length: 0');
    h.deliver(Buffer.from(response, 'latin1'), '127.0.0.1', 5070);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ended, ['session-expired']);
    assert.ok(h.sent.some((m) => m.startsWith('BYE ')));
    await h.ep.close();
  });
});

describe('SipEndpoint: an INVITE without an offer (RFC 3261 §13.2.1)', () => {
  it('answers with our offer in the 200 and takes the answer from the ACK', async () => {
    const h = await memoryEndpoint();
    h.send({ method: 'INVITE', callId: 'late', cseq: 1 });
    const invite = h.invites[0]!;
    assert.equal(invite.sdp, undefined);
    const confirmed = invite.accept(ANSWER);
    const ok = h.responses(200, 'INVITE')[0]!;
    assert.ok(ok.endsWith(ANSWER), 'our offer in the 200');
    h.send({ method: 'ACK', callId: 'late', cseq: 1, toTag: toTag(ok)!, body: CALLER_OFFER });
    const dialog: Dialog = await confirmed;
    assert.equal(dialog.remoteSdp, CALLER_OFFER, 'the answer from the ACK');
    await h.ep.close();
  });
});
