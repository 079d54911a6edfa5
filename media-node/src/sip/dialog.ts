// A SIP dialog (RFC 3261 §12): identity, route set, CSeq tracking, remote target; in-dialog
// requests both ways (BYE, re-INVITE, REFER, INFO, NOTIFY). Events tell the node what the far end
// did; handlers (`onReinvite`, `onRefer`) decide answers.
import type { SipCore } from './core.js';
import { parseDtmfRelay, sipfragStatus, type DtmfRelay } from './dialog-bodies.js';
import type { InboundRequest } from './inbound-request.js';
import { headerValue, type HeaderList, type ValidResponse } from './message.js';
import { parseNameAddr } from './name-addr.js';
import { buildRequest, targetOfUri } from './request-builder.js';
import { ServerInviteTransaction } from './server-invite-transaction.js';
import { SipError } from './sip-error.js';
import type { Target, TransportName } from './transport.js';
import { TypedEmitter } from '../lib/typed-emitter.js';

export type DialogEndReason = 'local-bye' | 'remote-bye' | 'ack-timeout' | 'closed';

export interface InfoEvent {
  contentType: string | undefined;
  body: string;
  dtmf: DtmfRelay | undefined;
}

export type DialogEvents = {
  bye: [];
  reinvite: [{ offer: string | undefined; answer: string }];
  refer: [{ referTo: string; status: number }];
  info: [InfoEvent];
  notify: [{ event: string | undefined; status: number | undefined; body: string }];
  ended: [{ reason: DialogEndReason }];
};

export interface DialogInit {
  role: 'uas' | 'uac';
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  transport: TransportName;
  /** Where to send when the route set and remote target give no usable address. */
  fallbackTarget: Target;
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

export class Dialog extends TypedEmitter<DialogEvents> {
  readonly role: 'uas' | 'uac';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  remoteTarget: string;
  readonly routeSet: readonly string[];
  state: 'confirmed' | 'terminated' = 'confirmed';
  /** The far end's session description: the answer of an outgoing call's 2xx, the offer of an
   * incoming one. Updated by re-INVITEs. */
  remoteSdp: string | undefined;
  /** Answers an incoming re-INVITE's offer (hold/resume). Without it re-INVITEs get 488. */
  onReinvite: ((offer: string | undefined) => string | Promise<string>) | undefined;
  /** Decides the status for an incoming REFER (default 603 Decline). */
  onRefer: ((referTo: string) => number) | undefined;

  #localSeq: number;
  #remoteSeq: number | undefined;
  #reinviteBusy = false;
  readonly #transport: TransportName;
  readonly #fallback: Target;
  readonly #core: SipCore;
  /** Answered re-INVITEs (and the initial INVITE) waiting for their ACK, by CSeq. */
  readonly #awaitingAck = new Map<number, () => void>();
  /** ACKs we sent for 2xx, by CSeq, to repeat when the 2xx is retransmitted. */
  readonly #sentAcks = new Map<number, Buffer>();
  readonly #referWaiters: Array<(status: number) => void> = [];

  constructor(core: SipCore, init: DialogInit) {
    super();
    this.#core = core;
    this.role = init.role;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
    this.#transport = init.transport;
    this.#fallback = init.fallbackTarget;
    this.onListenerError = (error) =>
      core.log.error('sip dialog listener failed', { error: String(error) });
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  get nextHop(): Target {
    const first = this.routeSet[0];
    const hop =
      first !== undefined
        ? targetOfUri(first, this.#transport)
        : targetOfUri(this.remoteTarget, this.#transport);
    return hop ?? this.#fallback;
  }

  /** Hang up: sends BYE and waits for its final response (any status ends the dialog). */
  async bye(): Promise<void> {
    if (this.state === 'terminated') return;
    this.#end('local-bye');
    try {
      await this.#request('BYE');
    } catch (error) {
      this.#core.log.debug('sip bye without answer', { error: String(error) });
    }
  }

  /** Sends a re-INVITE with `sdp`; resolves with the answer SDP (rejects with SipError). */
  async reinvite(sdp: string): Promise<string> {
    if (this.state === 'terminated') throw new SipError(481, 'Dialog ended');
    if (this.#reinviteBusy) throw new SipError(491, 'Request Pending');
    this.#reinviteBusy = true;
    try {
      const res = await this.#request('INVITE', { body: sdp, contentType: 'application/sdp' });
      if (res.status >= 300) throw new SipError(res.status, res.reason);
      return res.body.toString('utf8');
    } finally {
      this.#reinviteBusy = false;
    }
  }

  /**
   * Sends REFER to `target` (blind transfer). Resolves with the REFER's final status, or with
   * `waitForOutcome` the final status reported in the peer's NOTIFY sipfrag (e.g. 200).
   */
  async refer(target: string, options: { waitForOutcome?: boolean } = {}): Promise<number> {
    if (this.state === 'terminated') throw new SipError(481, 'Dialog ended');
    const outcome = options.waitForOutcome
      ? new Promise<number>((r) => this.#referWaiters.push(r))
      : undefined;
    const res = await this.#request('REFER', {
      headers: [
        ['refer-to', `<${target}>`],
        ['referred-by', `<${this.localUri}>`],
      ],
    });
    if (!outcome || res.status >= 300) return res.status;
    return outcome;
  }

  /** Sends INFO (e.g. application/dtmf-relay); resolves with its final status. */
  async info(contentType: string, body: string): Promise<number> {
    return (await this.#request('INFO', { body, contentType })).status;
  }

  /** Sends a NOTIFY for an accepted incoming REFER: `status` of the transfer as sipfrag. */
  async notifyRefer(status: number, reason: string, terminated: boolean): Promise<number> {
    const res = await this.#request('NOTIFY', {
      headers: [
        ['event', 'refer'],
        ['subscription-state', terminated ? 'terminated;reason=noresource' : 'active;expires=60'],
      ],
      body: `SIP/2.0 ${status} ${reason}\r\n`,
      contentType: 'message/sipfrag;version=2.0',
    });
    return res.status;
  }

  /** Waits for the ACK of the answer with CSeq `seq` (used by IncomingInvite and re-INVITEs). */
  expectAck(seq: number, onAck: () => void): void {
    this.#awaitingAck.set(seq, onAck);
  }

  receiveAck(seq: number): void {
    const fn = this.#awaitingAck.get(seq);
    this.#awaitingAck.delete(seq);
    fn?.();
  }

  /** ACKs a 2xx to our INVITE with CSeq `seq` (RFC 3261 §13.2.2.4); repeats the same ACK later. */
  ackInvite(seq: number): void {
    const hop = this.nextHop;
    let ack = this.#sentAcks.get(seq);
    if (!ack) {
      ack = buildRequest({
        method: 'ACK',
        uri: this.remoteTarget,
        via: this.#core.via(hop.transport, this.#core.newBranch()),
        from: `<${this.localUri}>;tag=${this.localTag}`,
        to: this.#remoteHeader(),
        callId: this.callId,
        cseq: seq,
        routes: this.routeSet,
        userAgent: this.#core.userAgent,
      });
      this.#sentAcks.set(seq, ack);
    }
    this.#core.sendRaw(hop, ack);
  }

  /** A 2xx to our INVITE arrived again after its transaction ended: repeat the ACK. */
  resendAck(seq: number): void {
    if (this.#sentAcks.has(seq)) this.ackInvite(seq);
  }

  #remoteHeader(): string {
    return this.remoteTag === ''
      ? `<${this.remoteUri}>`
      : `<${this.remoteUri}>;tag=${this.remoteTag}`;
  }

  /** Ends the dialog without signalling (Timer H without ACK, endpoint shutdown). */
  terminate(reason: DialogEndReason): void {
    this.#end(reason);
  }

  receive(inbound: InboundRequest): void {
    const { req } = inbound;
    if (this.state === 'terminated') return inbound.respond(481);
    if (this.#remoteSeq !== undefined && req.cseq.seq <= this.#remoteSeq) {
      return inbound.respond(500, { reason: 'CSeq Out of Order' });
    }
    this.#remoteSeq = req.cseq.seq;
    switch (req.method) {
      case 'BYE':
        inbound.respond(200);
        this.#end('remote-bye');
        this.emit('bye');
        return;
      case 'INVITE':
        return this.#receiveReinvite(inbound);
      case 'REFER':
        return this.#receiveRefer(inbound);
      case 'INFO': {
        inbound.respond(200);
        const contentType = headerValue(req.headers, 'content-type');
        const body = req.body.toString('utf8');
        const dtmf = contentType?.toLowerCase().startsWith('application/dtmf-relay')
          ? parseDtmfRelay(body)
          : undefined;
        this.emit('info', { contentType, body, dtmf });
        return;
      }
      case 'NOTIFY': {
        inbound.respond(200);
        const body = req.body.toString('utf8');
        const status = sipfragStatus(body);
        this.emit('notify', { event: headerValue(req.headers, 'event'), status, body });
        if (status !== undefined && status >= 200)
          for (const w of this.#referWaiters.splice(0)) w(status);
        return;
      }
      case 'OPTIONS':
        return inbound.respond(200);
      default:
        return inbound.respond(501);
    }
  }

  #receiveReinvite(inbound: InboundRequest): void {
    const { req } = inbound;
    if (this.#reinviteBusy) return inbound.respond(491);
    const contact = parseNameAddr(headerValue(req.headers, 'contact') ?? '');
    if (contact) this.remoteTarget = contact.uri;
    const handler = this.onReinvite;
    if (!handler) return inbound.respond(488);
    const offer = req.body.length > 0 ? req.body.toString('utf8') : undefined;
    this.#reinviteBusy = true;
    void Promise.resolve()
      .then(() => handler(offer))
      .then(
        (answer) => {
          this.expectAck(req.cseq.seq, () => {
            if (inbound.tx instanceof ServerInviteTransaction) inbound.tx.ack2xx();
          });
          inbound.respond(200, {
            body: answer,
            headers: [['contact', this.#core.contact(this.#transport)]],
          });
          this.emit('reinvite', { offer, answer });
        },
        (error: unknown) => {
          this.#core.log.warn('sip reinvite handler failed', { error: String(error) });
          inbound.respond(488);
        },
      )
      .finally(() => (this.#reinviteBusy = false));
  }

  #receiveRefer(inbound: InboundRequest): void {
    const referTo = parseNameAddr(headerValue(inbound.req.headers, 'refer-to') ?? '');
    if (!referTo) return inbound.respond(400, { reason: 'Missing Refer-To' });
    let status = 603;
    try {
      status = this.onRefer?.(referTo.uri) ?? 603;
    } catch (error) {
      this.#core.log.warn('sip refer handler failed', { error: String(error) });
    }
    inbound.respond(status);
    this.emit('refer', { referTo: referTo.uri, status });
  }

  #end(reason: DialogEndReason): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.#core.removeDialog(this);
    for (const w of this.#referWaiters.splice(0)) w(487);
    this.emit('ended', { reason });
  }

  #request(
    method: string,
    options: { body?: string; contentType?: string; headers?: HeaderList } = {},
  ): Promise<ValidResponse> {
    const core = this.#core;
    const hop = this.nextHop;
    const branch = core.newBranch();
    const seq = ++this.#localSeq;
    const remote = this.#remoteHeader();
    const spec = {
      method,
      uri: this.remoteTarget,
      via: core.via(hop.transport, branch),
      from: `<${this.localUri}>;tag=${this.localTag}`,
      to: remote,
      callId: this.callId,
      cseq: seq,
      routes: this.routeSet,
      userAgent: core.userAgent,
      contact: method === 'INVITE' || method === 'REFER' ? core.contact(hop.transport) : undefined,
      headers: options.headers,
      body: options.body,
      contentType: options.contentType,
    };
    const request = buildRequest(spec);
    return new Promise((resolve, reject) => {
      const onTimeout = () => {
        core.metrics.transactionTimeout(method);
        reject(new SipError(408, 'Request Timeout'));
      };
      const onTransportError = () => reject(new SipError(503, 'Service Unavailable'));
      if (method !== 'INVITE') {
        core.startClientNonInvite(hop, branch, method, request, {
          onResponse: (res) => res.status >= 200 && resolve(res),
          onTimeout,
          onTransportError,
        });
        return;
      }
      core.startClientInvite(hop, branch, request, {
        onResponse: (res) => {
          if (res.status < 200) return;
          if (res.status < 300) this.ackInvite(seq);
          resolve(res);
        },
        onTimeout,
        onTransportError,
        ackFor: (res) =>
          buildRequest({
            ...spec,
            method: 'ACK',
            to: headerValue(res.headers, 'to') ?? remote,
            body: undefined,
            contact: undefined,
            headers: undefined,
          }),
      });
    });
  }
}
