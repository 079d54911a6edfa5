// A received request bound to its server transaction: responding goes through the transaction
// (retransmissions, absorption) with one To tag for all of its responses.
import { headerValues, type HeaderList, type ValidRequest } from './message.js';
import type { SipMetrics } from './metrics.js';
import { ALLOW_HEADER, SUPPORTED_HEADER } from './request-policy.js';
import {
  answerSessionTimer,
  sessionTimerHeaders,
  type SessionTimerPolicy,
} from './session-timer.js';
import { buildResponse, serializeResponse } from './serializer.js';
import { ServerInviteTransaction } from './server-invite-transaction.js';
import type { ServerNonInviteTransaction } from './server-non-invite-transaction.js';
import type { Source } from './transport.js';

export interface RespondOptions {
  reason?: string | undefined;
  headers?: HeaderList | undefined;
  body?: string | Buffer | undefined;
  contentType?: string | undefined;
}

/**
 * A response to `req` as the endpoint writes it: our To tag, `headers`, and a body with its
 * Content-Type (SDP unless said otherwise). The RTP thread's answers on arrival are written by
 * the same function (rtp-thread/worker/answer-on-arrival.ts), so they are the bytes the endpoint would send.
 */
export function writeResponse(
  req: ValidRequest,
  source: Source,
  status: number,
  toTag: string,
  options: RespondOptions = {},
): Buffer {
  const headers: HeaderList = [...(options.headers ?? [])];
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  if (body && body.length > 0)
    headers.push(['content-type', options.contentType ?? 'application/sdp']);
  return serializeResponse(
    buildResponse(req, source, status, { reason: options.reason, headers, body, toTag }),
  );
}

/**
 * The headers of our 2xx to a dialog-creating INVITE: its recorded route set, our Contact, what
 * we allow and support (RFC 3261 §13.3.1.4), and the session timer we agree to (RFC 4028).
 */
export function dialogAnswerHeaders(
  req: ValidRequest,
  contact: string,
  sessionTimer: SessionTimerPolicy,
): HeaderList {
  return [
    ...headerValues(req.headers, 'record-route').map((r): [string, string] => ['record-route', r]),
    ['contact', contact],
    ALLOW_HEADER,
    SUPPORTED_HEADER,
    ...sessionTimerHeaders(answerSessionTimer(req.headers, sessionTimer)),
  ];
}

export class InboundRequest {
  readonly req: ValidRequest;
  readonly source: Source;
  readonly tx: ServerInviteTransaction | ServerNonInviteTransaction;
  readonly toTag: string;
  #final = false;
  readonly #metrics: SipMetrics;

  constructor(
    req: ValidRequest,
    source: Source,
    tx: ServerInviteTransaction | ServerNonInviteTransaction,
    toTag: string,
    metrics: SipMetrics,
  ) {
    this.req = req;
    this.source = source;
    this.tx = tx;
    this.toTag = toTag;
    this.#metrics = metrics;
  }

  get answered(): boolean {
    return this.#final;
  }

  respond(status: number, options: RespondOptions = {}): void {
    if (this.#final) return;
    if (status >= 200) this.#final = true;
    const data = writeResponse(this.req, this.source, status, this.toTag, options);
    this.#metrics.responseSent(status, this.req.method);
    this.tx.respond(status, data);
  }

  /**
   * Records a response to an INVITE that left before this request reached the endpoint (answered on
   * arrival, rtp-thread/worker/answer-on-arrival.ts): counted and retransmitted as if sent here.
   */
  sent(status: number, data: Buffer): void {
    if (this.#final || !(this.tx instanceof ServerInviteTransaction)) return;
    if (status >= 200) this.#final = true;
    this.#metrics.responseSent(status, this.req.method);
    this.tx.respond(status, data, true);
  }
}
