// A SIP dialog (RFC 3261 §12): identity, route set, CSeq tracking, remote target; in-dialog
// requests both ways (BYE, re-INVITE, UPDATE, REFER, INFO, NOTIFY) and the session timer
// (RFC 4028) that keeps it alive. Events tell the node what the far end did; handlers
// (`onReinvite`, `onRefer`) decide answers. What a received request gets is in-dialog-request.ts.
import type { SipCore } from './core.js';
import type { DialogEndReason, DialogEvents } from './dialog-events.js';
import type { InboundRequest } from './inbound-request.js';
import { receiveInDialog, type DialogRequestHost } from './in-dialog-request.js';
import { headerValue, type HeaderList, type ValidResponse } from './message.js';
import { buildRequest, targetOfUri } from './request-builder.js';
import { SipError } from './sip-error.js';
import { SessionRefresh, type RefreshingSide } from './session-refresh.js';
import { readSessionTimer } from './session-timer.js';
import type { Target, TransportName } from './transport.js';
import { TypedEmitter } from '../lib/typed-emitter.js';

export type { DialogEndReason, DialogEvents, InfoEvent } from './dialog-events.js';

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
  /** The SDP we sent (our answer or our offer), which a re-INVITE refresh sends again. */
  localSdp?: string | undefined;
  /** The far end's Allow lists UPDATE: session refreshes use it instead of re-INVITE. */
  peerAllowsUpdate?: boolean;
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

/** RFC 3261 §14.1: after a 491, the owner of the Call-ID retries in 2.1-4 s, the other in 0-2 s. */
function glareRetryMs(callIdOwner: boolean): number {
  return callIdOwner ? 2100 + Math.random() * 1900 : Math.random() * 2000;
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
   * incoming one (or the answer in its ACK, for a delayed offer). Updated by re-INVITEs. */
  remoteSdp: string | undefined;
  /** The last session description we sent. */
  localSdp: string | undefined;
  /**
   * Answers an offer in a re-INVITE or UPDATE (hold/resume); for a re-INVITE without an offer
   * (`offer` undefined) returns our offer, whose answer comes with the ACK ('answer'). Without
   * it re-INVITEs get 488.
   */
  onReinvite: ((offer: string | undefined) => string | Promise<string>) | undefined;
  /** Decides the status for an incoming REFER (default 603 Decline). */
  onRefer: ((referTo: string) => number) | undefined;

  #localSeq: number;
  #remoteSeq: number | undefined;
  /** A re-INVITE or UPDATE we sent is waiting for its final response. */
  #outgoingOffer = false;
  readonly #peerAllowsUpdate: boolean;
  readonly #transport: TransportName;
  readonly #fallback: Target;
  readonly #core: SipCore;
  /** Answered re-INVITEs (and the initial INVITE) waiting for their ACK, by CSeq. */
  readonly #awaitingAck = new Map<number, (sdp: string | undefined) => void>();
  /** ACKs we sent for 2xx, by CSeq, to repeat when the 2xx is retransmitted. */
  readonly #sentAcks = new Map<number, Buffer>();
  readonly #referWaiters: Array<(status: number) => void> = [];
  readonly #sessionRefresh: SessionRefresh;
  readonly #inbound: DialogRequestHost;

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
    this.localSdp = init.localSdp;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
    this.#transport = init.transport;
    this.#fallback = init.fallbackTarget;
    this.#peerAllowsUpdate = init.peerAllowsUpdate ?? false;
    this.onListenerError = (error) =>
      core.log.error('sip dialog listener failed', { error: String(error) });
    this.#sessionRefresh = new SessionRefresh({
      timers: core.timers,
      refresh: (seconds) => this.#refresh(seconds),
      expire: () => {
        core.log.info('sip session expired without a refresh', { callId: this.callId });
        void this.#hangUp('session-expired');
      },
    });
    this.#inbound = this.#requestHost();
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

  /** The session interval in force and who refreshes it, if a session timer runs. */
  get sessionTimer(): { seconds: number; side: RefreshingSide } | undefined {
    return this.#sessionRefresh.current;
  }

  /**
   * Hang up: sends BYE and waits for its final response (any status ends the dialog).
   * `reason`: why the dialog ends ('ack-timeout': our 2xx was never ACKed).
   */
  bye(reason: 'local-bye' | 'ack-timeout' = 'local-bye'): Promise<void> {
    return this.#hangUp(reason);
  }

  /** Sends a re-INVITE with `sdp`; resolves with the answer SDP (rejects with SipError). */
  async reinvite(sdp: string): Promise<string> {
    if (this.state === 'terminated') throw new SipError(481, 'Dialog ended');
    if (this.#outgoingOffer) throw new SipError(491, 'Request Pending');
    const res = await this.#offerRequest('INVITE', sdp);
    if (res.status >= 300) throw new SipError(res.status, res.reason);
    this.localSdp = sdp;
    this.remoteSdp = res.body.toString('utf8');
    return this.remoteSdp;
  }

  /**
   * Sends REFER to `target` (blind transfer). Resolves with the REFER's final status and, when the
   * peer accepted it, `outcome`: the final status its NOTIFY sipfrag reports (487 when the dialog
   * ends first). The wait for the NOTIFY starts before the REFER leaves: it may overtake the 202.
   */
  async refer(target: string): Promise<{ status: number; outcome?: Promise<number> }> {
    if (this.state === 'terminated') throw new SipError(481, 'Dialog ended');
    let settle: (status: number) => void = () => undefined;
    const outcome = new Promise<number>((resolve) => (settle = resolve));
    this.#referWaiters.push(settle);
    const res = await this.#request('REFER', {
      headers: [
        ['refer-to', `<${target}>`],
        ['referred-by', `<${this.localUri}>`],
      ],
    }).catch((error: unknown) => {
      this.#dropReferWaiter(settle);
      throw error;
    });
    if (res.status < 300) return { status: res.status, outcome };
    this.#dropReferWaiter(settle);
    return { status: res.status };
  }

  #dropReferWaiter(waiter: (status: number) => void): void {
    const i = this.#referWaiters.indexOf(waiter);
    if (i >= 0) this.#referWaiters.splice(i, 1);
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

  /**
   * Waits for the ACK of the 2xx with CSeq `seq` (used by IncomingInvite and re-INVITEs);
   * `onAck` gets the SDP the ACK carries, if any.
   */
  expectAck(seq: number, onAck: (sdp: string | undefined) => void): void {
    this.#awaitingAck.set(seq, onAck);
  }

  /** Whether the 2xx with CSeq `seq` still waits for its ACK. */
  awaitsAck(seq: number): boolean {
    return this.#awaitingAck.has(seq);
  }

  receiveAck(seq: number, sdp: string | undefined): void {
    const fn = this.#awaitingAck.get(seq);
    this.#awaitingAck.delete(seq);
    fn?.(sdp);
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

  /**
   * A session interval was agreed with the far end: `refresher` is who refreshes it, as the
   * transaction that agreed it names the sides ('uac': whoever sent that request).
   */
  startSessionTimer(seconds: number, refresher: 'uac' | 'uas', weSentTheRequest: boolean): void {
    if (this.state === 'terminated') return;
    const local = (refresher === 'uac') === weSentTheRequest;
    this.#sessionRefresh.start(seconds, local ? 'local' : 'remote');
  }

  /** No session timer from now on. */
  stopSessionTimer(): void {
    this.#sessionRefresh.stop();
  }

  /** Ends the dialog without signalling (Timer H without ACK, endpoint shutdown). */
  terminate(reason: DialogEndReason): void {
    this.#end(reason);
  }

  receive(inbound: InboundRequest): void {
    if (this.state === 'terminated') return inbound.respond(481);
    const { seq } = inbound.req.cseq;
    if (this.#remoteSeq !== undefined && seq <= this.#remoteSeq) {
      return inbound.respond(500, { reason: 'CSeq Out of Order' });
    }
    this.#remoteSeq = seq;
    receiveInDialog(this.#inbound, inbound);
  }

  /** What in-dialog-request.ts needs of the dialog, its private state included. */
  #requestHost(): DialogRequestHost {
    const core = this.#core;
    return {
      dialog: this,
      log: core.log,
      sessionTimerPolicy: core.sessionTimer,
      answeringOffer: false,
      contact: () => core.contact(this.#transport),
      outgoingOffer: () => this.#outgoingOffer,
      remoteBye: () => {
        this.#end('remote-bye');
        this.emit('bye');
      },
      referDone: (status) => {
        for (const w of this.#referWaiters.splice(0)) w(status);
      },
      emit: (event, ...args) => this.emit(event, ...args),
    };
  }

  #remoteHeader(): string {
    return this.remoteTag === ''
      ? `<${this.remoteUri}>`
      : `<${this.remoteUri}>;tag=${this.remoteTag}`;
  }

  async #hangUp(reason: DialogEndReason): Promise<void> {
    if (this.state === 'terminated') return;
    this.#end(reason);
    try {
      await this.#request('BYE');
    } catch (error) {
      this.#core.log.debug('sip bye without answer', { error: String(error) });
    }
  }

  /**
   * Refreshes the session (RFC 4028 §7.4): an UPDATE without a body when the far end allows
   * UPDATE, else a re-INVITE with the session description we sent last. The answer restarts the
   * timer; 422 asks again with the far end's minimum, 491 again after a while, and anything else
   * ends the session.
   */
  #refresh(seconds: number): void {
    if (this.state === 'terminated') return;
    const useUpdate = this.#peerAllowsUpdate || this.localSdp === undefined;
    const headers: HeaderList = [
      ['session-expires', `${seconds};refresher=uac`],
      ['supported', 'timer'],
    ];
    const sent = useUpdate
      ? this.#request('UPDATE', { headers })
      : this.#offerRequest('INVITE', this.localSdp ?? '', headers);
    sent.then(
      (res) => {
        if (this.state === 'terminated') return;
        if (res.status < 300) {
          if (!useUpdate && res.body.length > 0) this.remoteSdp = res.body.toString('utf8');
          const agreed = readSessionTimer(res.headers);
          if (agreed) this.startSessionTimer(agreed.seconds, agreed.refresher ?? 'uac', true);
          else this.#sessionRefresh.stop();
          return;
        }
        const minSe = Number(headerValue(res.headers, 'min-se'));
        if (res.status === 422 && minSe > seconds) return this.#refresh(minSe);
        if (res.status === 491) {
          this.#core.timers.after(glareRetryMs(this.role === 'uac'), () => this.#refresh(seconds));
          return;
        }
        this.#refreshFailed(res.status);
      },
      (error: unknown) => this.#refreshFailed(error instanceof SipError ? error.status : 0),
    );
  }

  #refreshFailed(status: number): void {
    this.#core.log.info('sip session refresh failed', { callId: this.callId, status });
    void this.#hangUp('session-expired');
  }

  #end(reason: DialogEndReason): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.#sessionRefresh.stop();
    this.#core.removeDialog(this);
    for (const w of this.#referWaiters.splice(0)) w(487);
    this.emit('ended', { reason });
  }

  /** A re-INVITE or UPDATE carrying `sdp`, marked as the offer we wait on (glare: 491). */
  async #offerRequest(
    method: 'INVITE' | 'UPDATE',
    sdp: string,
    headers: HeaderList = [],
  ): Promise<ValidResponse> {
    this.#outgoingOffer = true;
    try {
      return await this.#request(method, { body: sdp, contentType: 'application/sdp', headers });
    } finally {
      this.#outgoingOffer = false;
    }
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
