// A new dialog-creating INVITE handed to the application: ring, answer or reject it.
// accept() sends 200 (retransmitted on UDP until the ACK) and resolves with the Dialog on ACK;
// without an ACK by Timer H it rejects with SipError(408) and hangs up with BYE.
import type { SipCore } from './core.js';
import { Dialog, type DialogEndReason } from './dialog.js';
import { dialogAnswerHeaders, type InboundRequest } from './inbound-request.js';
import { headerValue, headerValues, type HeaderList, type ValidRequest } from './message.js';
import { parseNameAddr, tagOf, type NameAddr } from './name-addr.js';
import { allowsUpdate } from './request-policy.js';
import { ServerInviteTransaction } from './server-invite-transaction.js';
import { answerSessionTimer } from './session-timer.js';
import { SipError } from './sip-error.js';
import type { AnsweredOnArrival, Source } from './transport.js';
import { TypedEmitter } from '../lib/typed-emitter.js';

export type IncomingInviteEvents = {
  /** The caller cancelled before the answer (487 already sent). */
  cancel: [];
  /** Answered, rejected or cancelled: the last event (every listener goes after it). */
  settled: [];
};

export type IncomingInviteState = 'pending' | 'answered' | 'rejected' | 'cancelled';

export class IncomingInvite extends TypedEmitter<IncomingInviteEvents> {
  readonly callId: string;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly requestUri: string;
  readonly headers: HeaderList;
  readonly sdp: string | undefined;
  readonly source: Source;
  state: IncomingInviteState = 'pending';
  /**
   * Set when the 100, 180 and 200 left on arrival (rtp-thread/worker/answer-on-arrival.ts): accept() takes the
   * call over with that 200, and the media the answer opened is the application's to take over.
   */
  readonly answered: AnsweredOnArrival | undefined;
  /** The dialog, from accept() on. */
  dialog: Dialog | undefined;
  readonly #inbound: InboundRequest;
  readonly #core: SipCore;
  #ackTimeout: (() => void) | undefined;

  constructor(core: SipCore, inbound: InboundRequest, answered?: AnsweredOnArrival) {
    super();
    this.answered = answered;
    const req: ValidRequest = inbound.req;
    this.#core = core;
    this.#inbound = inbound;
    this.callId = req.callId;
    this.from = req.from;
    this.to = req.to;
    this.requestUri = req.uri;
    this.headers = req.headers;
    this.sdp = req.body.length > 0 ? req.body.toString('utf8') : undefined;
    this.source = inbound.source;
    this.onListenerError = (error) =>
      core.log.error('sip invite listener failed', { error: String(error) });
  }

  /** Sends 180 Ringing or 183 Session Progress (with early media SDP). */
  progress(status: 180 | 183 = 180, sdp?: string): void {
    if (this.state !== 'pending' || this.answered) return;
    this.#inbound.respond(status, {
      body: sdp,
      headers: [['contact', this.#core.contact(this.source.transport)]],
    });
  }

  /**
   * Answers 200 with `sdp`: our answer, or our offer when the INVITE had none (delayed offer,
   * RFC 3261 §13.2.1; the answer then comes with the ACK, in `dialog.remoteSdp`). The dialog exists
   * from now on (`dialog`): the far end's requests reach it before the ACK too. Resolves with it
   * when the ACK arrives; rejects with SipError(408) at Timer H (after hanging up with BYE), and
   * with SipError(487) when the dialog ended before the ACK (the caller's BYE came first: the 200
   * is no longer sent again).
   */
  accept(sdp: string, headers: HeaderList = []): Promise<Dialog> {
    if (this.state === 'cancelled') return Promise.reject(new SipError(487, 'Request Terminated'));
    if (this.state !== 'pending') return Promise.reject(new Error('INVITE already answered'));
    this.#settle('answered');
    const core = this.#core;
    const req = this.#inbound.req;
    const seq = req.cseq.seq;
    const contact = parseNameAddr(headerValue(req.headers, 'contact') ?? '');
    const dialog = new Dialog(core, {
      role: 'uas',
      callId: req.callId,
      localTag: this.#inbound.toTag,
      remoteTag: tagOf(req.from) ?? '',
      localUri: req.to.uri,
      remoteUri: req.from.uri,
      remoteTarget: contact?.uri ?? `sip:${this.source.address}:${this.source.port}`,
      routeSet: headerValues(req.headers, 'record-route'),
      localSeq: Math.floor(Math.random() * 10_000) + 1,
      remoteSeq: seq,
      transport: this.source.transport,
      fallbackTarget: { ...this.source },
      localSdp: sdp === '' ? undefined : sdp,
      peerAllowsUpdate: allowsUpdate(req.headers),
    });
    dialog.remoteSdp = this.sdp;
    this.dialog = dialog;
    core.addDialog(dialog);
    const tx = this.#inbound.tx;
    const confirmed = new Promise<Dialog>((resolve, reject) => {
      const endedFirst = ({ reason }: { reason: DialogEndReason }): void => {
        this.#ackTimeout = undefined;
        if (tx instanceof ServerInviteTransaction) tx.endWithoutAck();
        if (reason === 'closed') reject(new SipError(503, 'Endpoint closed'));
        else reject(new SipError(487, 'Ended before the ACK'));
      };
      dialog.once('ended', endedFirst);
      dialog.expectAck(seq, (answer) => {
        dialog.off('ended', endedFirst);
        this.#ackTimeout = undefined;
        if (tx instanceof ServerInviteTransaction) tx.ack2xx();
        if (this.sdp === undefined) dialog.remoteSdp = answer;
        resolve(dialog);
      });
      this.#ackTimeout = () => {
        dialog.off('ended', endedFirst);
        reject(new SipError(408, 'No ACK'));
        void dialog.bye('ack-timeout');
      };
    });
    const timer = answerSessionTimer(req.headers, core.sessionTimer);
    if (timer.kind === 'timer') dialog.startSessionTimer(timer.seconds, timer.refresher, false);
    if (this.answered) {
      this.#inbound.sent(200, this.answered.responses[2]);
    } else {
      this.#inbound.respond(200, {
        body: sdp,
        headers: [
          ...dialogAnswerHeaders(req, core.contact(this.source.transport), core.sessionTimer),
          ...headers,
        ],
      });
    }
    return confirmed;
  }

  /** Rejects the call, e.g. 486 Busy Here, 488 Not Acceptable Here, 503 with Retry-After. */
  reject(status: number, reason?: string, headers: HeaderList = []): void {
    if (this.state !== 'pending') return;
    if (this.answered) {
      // The caller has our 200 already: the call is taken over and hung up at once.
      this.answered.discard();
      this.accept('').then(
        (dialog) => dialog.bye().catch(() => undefined),
        () => undefined,
      );
      return;
    }
    this.#settle('rejected');
    this.#inbound.respond(status, { reason, headers });
  }

  /** Called by the endpoint on CANCEL: 487 to the INVITE, then the 'cancel' event. */
  cancelled(): void {
    if (this.state !== 'pending' || this.answered) return; // a CANCEL after the 200 changes nothing
    this.#inbound.respond(487);
    this.#settle('cancelled');
  }

  /**
   * Leaves 'pending' for good, and the listeners go: the endpoint keeps this object until the
   * transaction ends (for a 2xx, Timer L: 32 s after the ACK on UDP), and a listener would keep the
   * call it belongs to (its media, its agent) in memory as long.
   */
  #settle(state: Exclude<IncomingInviteState, 'pending'>): void {
    this.state = state;
    if (state === 'cancelled') this.emit('cancel');
    this.emit('settled');
    this.removeAllListeners();
  }

  /** Called by the endpoint when the 2xx was never ACKed (Timer H). */
  ackTimedOut(): void {
    this.#ackTimeout?.();
    this.#ackTimeout = undefined;
  }
}
