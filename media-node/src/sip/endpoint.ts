// SipEndpoint: the media node's in-process SIP user agent over UDP and TCP on one port.
// It owns the transaction tables and the dialog table, routes every inbound message to a
// transaction, a dialog, an incoming call or a stateless answer, and never lets a malformed
// message escape a socket handler.
import { randomBytes } from 'node:crypto';
import { ClientInviteTransaction, type ClientInviteHandlers } from './client-invite-transaction.js';
import {
  ClientNonInviteTransaction,
  type ClientNonInviteHandlers,
} from './client-non-invite-transaction.js';
import type { SipCore } from './core.js';
import type { Dialog } from './dialog.js';
import { dialogKey } from './dialog.js';
import { InboundRequest } from './inbound-request.js';
import { IncomingInvite } from './incoming-invite.js';
import type { HeaderList, ValidRequest, ValidResponse } from './message.js';
import { SipMetrics, type SipCounters, type SipMetricsHooks } from './metrics.js';
import { tagOf } from './name-addr.js';
import { placeCall, type InviteOptions } from './outgoing-invite.js';
import { DEFAULT_PARSE_LIMITS, type ParseLimits, type ParseResult } from './parse-result.js';
import { parseMessage } from './parser.js';
import { ALLOW_HEADER, SUPPORTED_HEADER, decideOutOfDialog } from './request-policy.js';
import { DEFAULT_SESSION_TIMER, type SessionTimerPolicy } from './session-timer.js';
import { statelessReply } from './stateless-reply.js';
import { ServerInviteTransaction } from './server-invite-transaction.js';
import { ServerNonInviteTransaction } from './server-non-invite-transaction.js';
import { listenTransports, type Transports } from './listen-transports.js';
import {
  DEFAULT_TIMER_VALUES,
  realTimers,
  type TimerHandle,
  type TimerValues,
  type Timers,
} from './timers.js';
import type { TransactionContext } from './transaction-context.js';
import { clientKey, serverKey } from './transaction-key.js';
import {
  type AnsweredOnArrival,
  type Logger,
  type Source,
  type Target,
  type TransportName,
  type UdpBinder,
  silentLogger,
} from './transport.js';
import { TypedEmitter } from '../lib/typed-emitter.js';
import { branchOf, responseDestination } from './via.js';

export interface SipEndpointOptions {
  host?: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port?: number;
  /** Host put in Via and Contact (the pod IP); defaults to host, or 127.0.0.1 for a wildcard. */
  advertisedHost?: string;
  /**
   * User part of our Contact (`sip:<user>@host:port`). Requests inside a dialog are sent to the
   * Contact, and some proxies refuse an INVITE whose Request-URI has no user (484) even inside
   * a dialog; none by default.
   */
  contactUser?: string;
  transports?: TransportName[];
  /**
   * Binds the UDP socket somewhere else instead of here (the media node's lives on its RTP thread,
   * which may answer new calls on arrival: see rtp-thread/worker/answer-on-arrival.ts). TCP
   * listens on its port; with port 0 a port whose TCP side is taken is bound again.
   */
  bindUdp?: UdpBinder;
  userAgent?: string;
  log?: Logger;
  metrics?: SipMetricsHooks;
  /** Answer to the packet's source port even without rport (like a proxy's force_rport). */
  forceRport?: boolean;
  limits?: Partial<ParseLimits>;
  maxTcpConnections?: number;
  tcpIdleTimeoutMs?: number;
  /** An INVITE the application neither answers nor rejects gets 480 after this long (default 3 min). */
  unansweredInviteMs?: number;
  timers?: Timers;
  timerValues?: TimerValues;
  /** Session timers (RFC 4028): the interval we ask for and the shortest we accept. */
  sessionTimer?: SessionTimerPolicy;
}

export interface OptionsAnswer {
  status: number;
  headers?: HeaderList;
}

export type EndpointEvents = {
  invite: [IncomingInvite];
};

/**
 * A server transaction in the table, and the INVITE it carries until only retransmissions are left
 * to absorb (a final failure sent, or the 2xx ACKed): the transaction stays for up to 32 s more
 * (Timer L) and would keep the INVITE, its request and whatever listens to it as long. The request
 * itself is kept by whoever answers it, not by the table.
 */
interface ServerEntry {
  readonly tx: ServerInviteTransaction | ServerNonInviteTransaction;
  /** The To tag of its responses (a CANCEL's 200 carries its INVITE's, RFC 3261 §9.2). */
  readonly toTag: string;
  invite: IncomingInvite | undefined;
}

/** What the endpoint holds that is not finished: what a drain waits for. */
export interface SipInProgress {
  dialogs: number;
  /** Server transactions with a final response to send, or one to retransmit until its ACK. */
  serverTransactions: number;
  /** Client transactions without a final response. */
  clientTransactions: number;
}

export class SipEndpoint extends TypedEmitter<EndpointEvents> implements SipCore {
  readonly timers: Timers;
  readonly timerValues: TimerValues;
  readonly log: Logger;
  readonly metrics: SipMetrics;
  readonly userAgent: string | undefined;
  readonly advertisedHost: string;
  readonly sessionTimer: SessionTimerPolicy;
  /** Answer for OPTIONS outside a dialog: 200 while accepting, 503 (+ Retry-After) when not. */
  onOptions: (req: ValidRequest) => OptionsAnswer = () => ({ status: 200 });

  readonly #options: SipEndpointOptions;
  readonly #limits: ParseLimits;
  #transports: Transports | undefined;
  readonly #server = new Map<string, ServerEntry>();
  readonly #client = new Map<string, ClientInviteTransaction | ClientNonInviteTransaction>();
  readonly #dialogs = new Map<string, Dialog>();
  readonly #guards = new Set<TimerHandle>();
  /** Answered INVITEs handed to the application (their media is its to close). */
  readonly #takenOver = new WeakSet<AnsweredOnArrival>();
  #closed = false;

  private constructor(options: SipEndpointOptions) {
    super();
    this.#options = options;
    this.timers = options.timers ?? realTimers;
    this.timerValues = options.timerValues ?? DEFAULT_TIMER_VALUES;
    this.log = options.log ?? silentLogger;
    this.metrics = new SipMetrics(options.metrics);
    this.userAgent = options.userAgent;
    this.sessionTimer = options.sessionTimer ?? DEFAULT_SESSION_TIMER;
    this.#limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
    const host = options.host ?? '0.0.0.0';
    this.advertisedHost =
      options.advertisedHost || (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    this.onListenerError = (error) =>
      this.log.error('sip endpoint listener failed', { error: String(error) });
  }

  static async listen(options: SipEndpointOptions = {}): Promise<SipEndpoint> {
    const ep = new SipEndpoint(options);
    ep.#transports = await listenTransports({
      host: options.host ?? '0.0.0.0',
      port: options.port ?? 5060,
      transports: options.transports ?? ['udp', 'tcp'],
      limits: ep.#limits,
      maxTcpConnections: options.maxTcpConnections ?? 1024,
      tcpIdleTimeoutMs: options.tcpIdleTimeoutMs ?? 300_000,
      log: ep.log,
      ...(options.bindUdp ? { bindUdp: options.bindUdp } : {}),
      onDatagram: (data, source, answered) => {
        const result = parseMessage(data, { limits: ep.#limits });
        if (answered) ep.#safely(() => ep.#takeOver(result, source, answered), answered);
        else ep.#safely(() => ep.#handle(result, source));
      },
      onFrame: (frame, source) => ep.#safely(() => ep.#handle(frame.result, source)),
    });
    return ep;
  }

  get port(): number {
    return this.#transports?.port ?? 0;
  }

  get counters(): SipCounters {
    return this.metrics.counters;
  }

  get dialogCount(): number {
    return this.#dialogs.size;
  }

  /** Dialogs and transactions not finished yet (absorbing retransmissions does not count). */
  get inProgress(): SipInProgress {
    let serverTransactions = 0;
    for (const { tx } of this.#server.values()) if (tx.inProgress) serverTransactions++;
    let clientTransactions = 0;
    for (const tx of this.#client.values()) if (tx.inProgress) clientTransactions++;
    return { dialogs: this.#dialogs.size, serverTransactions, clientTransactions };
  }

  /** The keys of the INVITE server transactions held (serverKey): retransmissions of these INVITEs are ours. */
  heldInviteKeys(): string[] {
    const keys: string[] = [];
    for (const [key, { tx }] of this.#server)
      if (tx instanceof ServerInviteTransaction) keys.push(key);
    return keys;
  }

  /** Places a call (UAC); resolves with the Dialog on 2xx, rejects with SipError otherwise. */
  invite(options: InviteOptions): Promise<Dialog> {
    return placeCall(this, options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const d of [...this.#dialogs.values()]) d.terminate('closed');
    for (const e of [...this.#server.values()]) e.tx.terminate();
    for (const t of [...this.#client.values()]) t.terminate();
    for (const g of this.#guards) g.cancel();
    await this.#transports?.close();
  }

  // ---- SipCore ----
  newTag(): string {
    return randomBytes(6).toString('hex');
  }
  newBranch(): string {
    return `z9hG4bK${randomBytes(8).toString('hex')}`;
  }
  newCallId(): string {
    return `${randomBytes(12).toString('hex')}@${this.advertisedHost}`;
  }
  contact(transport: TransportName): string {
    const user = this.#options.contactUser === undefined ? '' : `${this.#options.contactUser}@`;
    return `<sip:${user}${this.advertisedHost}:${this.port}${transport === 'tcp' ? ';transport=tcp' : ''}>`;
  }
  via(transport: TransportName, branch: string): string {
    return `SIP/2.0/${transport.toUpperCase()} ${this.advertisedHost}:${this.port};branch=${branch};rport`;
  }
  sendRaw(target: Target, data: Buffer, onError?: () => void): void {
    if (this.#closed) return;
    this.#transports?.send(target, data, onError);
  }
  addDialog(dialog: Dialog): void {
    this.#dialogs.set(dialog.key, dialog);
  }
  removeDialog(dialog: Dialog): void {
    if (this.#dialogs.get(dialog.key) === dialog) this.#dialogs.delete(dialog.key);
  }
  startClientInvite(
    target: Target,
    branch: string,
    request: Buffer,
    handlers: ClientInviteHandlers,
  ): ClientInviteTransaction {
    const key = clientKey(branch, 'INVITE');
    const tx = new ClientInviteTransaction(
      this.#context(target, () => this.#client.delete(key)),
      request,
      handlers,
    );
    this.#client.set(key, tx);
    tx.start();
    return tx;
  }
  startClientNonInvite(
    target: Target,
    branch: string,
    method: string,
    request: Buffer,
    handlers: ClientNonInviteHandlers,
  ): ClientNonInviteTransaction {
    const key = clientKey(branch, method);
    const tx = new ClientNonInviteTransaction(
      this.#context(target, () => this.#client.delete(key)),
      request,
      handlers,
    );
    this.#client.set(key, tx);
    tx.start();
    return tx;
  }

  // ---- inbound ----
  /** Runs a socket's handler; an answered INVITE it could not hand over gives its media up. */
  #safely(fn: () => void, answered?: AnsweredOnArrival): void {
    try {
      if (!this.#closed) fn();
      else answered?.discard();
    } catch (error) {
      this.log.error('sip message handling failed', { error: String(error) });
      if (answered && !this.#takenOver.has(answered)) answered.discard();
    }
  }

  #context(target: Target, onTerminated: () => void): TransactionContext {
    const ctx: TransactionContext = {
      send: (data) => this.sendRaw(target, data, () => ctx.onTransportError?.()),
      reliable: target.transport === 'tcp',
      timers: this.timers,
      values: this.timerValues,
      onRetransmit: () => this.metrics.retransmission(),
      onTerminated,
    };
    return ctx;
  }

  #handle(result: ParseResult, source: Source): void {
    this.metrics.counters.messagesReceived++;
    if (!result.ok) {
      this.metrics.parseError(result.code, source.transport);
      const reply = statelessReply(result, source, this.#options.forceRport);
      if (!reply) return;
      this.metrics.responseSent(result.status, 'unknown');
      this.sendRaw(reply.target, reply.data);
      return;
    }
    const msg = result.message;
    if (msg.kind === 'response') return this.#onResponse(msg);
    this.metrics.requestReceived(msg.method, source.transport);
    if (msg.method === 'ACK') return this.#onAck(msg);
    if (msg.method === 'CANCEL') return this.#onCancel(msg, source);
    const existing = this.#server.get(serverKey(msg));
    if (existing) {
      const tx = existing.tx;
      if (tx instanceof ServerInviteTransaction) tx.receiveInvite();
      else tx.receiveRequest();
      return;
    }
    const { entry, inbound } = this.#newServer(msg, source);
    const toTag = tagOf(msg.to);
    if (toTag !== undefined) {
      const dialog = this.#dialogs.get(dialogKey(msg.callId, toTag, tagOf(msg.from) ?? ''));
      if (dialog) dialog.receive(inbound);
      else inbound.respond(481);
      return;
    }
    const decision = decideOutOfDialog(msg, this.sessionTimer);
    if (decision.kind === 'respond')
      return inbound.respond(decision.status, { headers: decision.headers });
    if (decision.kind === 'options') {
      let answer: OptionsAnswer = { status: 500 };
      try {
        answer = this.onOptions(msg);
      } catch (error) {
        this.log.error('sip options handler failed', { error: String(error) });
      }
      const headers: HeaderList = [
        ALLOW_HEADER,
        SUPPORTED_HEADER,
        ['accept', 'application/sdp'],
        ...(answer.headers ?? []),
      ];
      return inbound.respond(answer.status, { headers });
    }
    const invite = new IncomingInvite(this, inbound);
    entry.invite = invite;
    inbound.respond(100);
    this.#offer(invite);
  }

  /**
   * An INVITE that was answered on arrival (100, 180 and 200 sent; rtp-thread/worker/answer-on-arrival.ts): its
   * transaction and, on accept(), its dialog continue here as if the answer had left from here.
   * Anything else that comes with an answer (a retransmission racing its original, which the
   * thread does not answer twice) is handled as usual and its media given up.
   */
  #takeOver(result: ParseResult, source: Source, answered: AnsweredOnArrival): void {
    const msg = result.ok ? result.message : undefined;
    if (msg?.kind !== 'request' || msg.method !== 'INVITE' || this.#server.has(serverKey(msg))) {
      answered.discard();
      return this.#handle(result, source);
    }
    this.metrics.counters.messagesReceived++;
    this.metrics.requestReceived(msg.method, source.transport);
    const { entry, inbound } = this.#newServer(msg, source, answered.toTag);
    const invite = new IncomingInvite(this, inbound, answered);
    entry.invite = invite;
    inbound.sent(100, answered.responses[0]);
    inbound.sent(180, answered.responses[1]);
    this.#takenOver.add(answered);
    this.#offer(invite);
  }

  /** Hands a new INVITE to the application; unanswered after a while, it gets 480. */
  #offer(invite: IncomingInvite): void {
    if (this.listenerCount('invite') === 0) return invite.reject(480);
    this.emit('invite', invite);
    if (invite.state === 'pending') {
      const guard = this.timers.after(this.#options.unansweredInviteMs ?? 180_000, () =>
        invite.reject(480),
      );
      this.#guards.add(guard);
      invite.on('settled', () => {
        guard.cancel();
        this.#guards.delete(guard);
      });
    }
  }

  #newServer(
    req: ValidRequest,
    source: Source,
    toTag: string = this.newTag(),
  ): { entry: ServerEntry; inbound: InboundRequest } {
    const key = serverKey(req);
    const top = req.via[0];
    const dest: Target =
      source.transport === 'udp' && top
        ? { ...responseDestination(top, source, this.#options.forceRport), transport: 'udp' }
        : { ...source };
    let entry: ServerEntry | undefined = undefined;
    const ctx = this.#context(dest, () => this.#server.delete(key));
    ctx.onSettled = () => {
      if (entry) entry.invite = undefined;
    };
    const tx =
      req.method === 'INVITE'
        ? new ServerInviteTransaction(ctx, () => entry?.invite?.ackTimedOut())
        : new ServerNonInviteTransaction(ctx);
    const inbound = new InboundRequest(req, source, tx, toTag, this.metrics);
    entry = { tx, toTag, invite: undefined };
    this.#server.set(key, entry);
    return { entry, inbound };
  }

  #onAck(req: ValidRequest): void {
    const entry = this.#server.get(serverKey(req));
    if (entry && entry.tx instanceof ServerInviteTransaction && entry.tx.state === 'completed') {
      entry.tx.receiveAck();
      return;
    }
    const toTag = tagOf(req.to);
    if (toTag === undefined) return;
    this.#dialogs
      .get(dialogKey(req.callId, toTag, tagOf(req.from) ?? ''))
      ?.receiveAck(req.cseq.seq, req.body.length > 0 ? req.body.toString('utf8') : undefined);
  }

  #onCancel(req: ValidRequest, source: Source): void {
    const existing = this.#server.get(serverKey(req));
    if (existing) {
      const tx = existing.tx;
      if (tx instanceof ServerNonInviteTransaction) tx.receiveRequest();
      return;
    }
    const invite = this.#server.get(serverKey(req, 'INVITE'));
    const cancel = this.#newServer(req, source, invite?.toTag).inbound;
    if (!invite) return cancel.respond(481);
    cancel.respond(200);
    invite.invite?.cancelled();
  }

  #onResponse(res: ValidResponse): void {
    const branch = branchOf(res.via[0]);
    const tx =
      branch === undefined ? undefined : this.#client.get(clientKey(branch, res.cseq.method));
    if (tx) return tx.receiveResponse(res);
    if (res.cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
      const localTag = tagOf(res.from);
      const remoteTag = tagOf(res.to);
      if (localTag !== undefined && remoteTag !== undefined) {
        this.#dialogs.get(dialogKey(res.callId, localTag, remoteTag))?.resendAck(res.cseq.seq);
      }
    }
  }
}
