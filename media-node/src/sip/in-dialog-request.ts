// What a request inside a dialog gets (RFC 3261 §12.2.2, §14.2; RFC 3311 UPDATE; RFC 4028 session
// timers): BYE ends the dialog; a re-INVITE or UPDATE with an offer is answered by the
// application, a re-INVITE without one gets our offer (its answer comes with the ACK), an UPDATE
// without a body refreshes the session; each of them renegotiates the session timer. A second
// offer while one is pending gets 500 with Retry-After (ours pending: 491). REFER, INFO and NOTIFY
// are answered and reported. The dialog's sequence check runs before (dialog.ts).
import { parseDtmfRelay, sipfragStatus } from './dialog-bodies.js';
import type { DialogEvents } from './dialog-events.js';
import type { InboundRequest } from './inbound-request.js';
import { headerValue, type HeaderList } from './message.js';
import { parseNameAddr } from './name-addr.js';
import { ALLOW_HEADER, SUPPORTED_HEADER } from './request-policy.js';
import { ServerInviteTransaction } from './server-invite-transaction.js';
import { SipError } from './sip-error.js';
import {
  answerSessionTimer,
  sessionTimerHeaders,
  type SessionTimerAnswer,
  type SessionTimerPolicy,
} from './session-timer.js';
import type { Logger } from './transport.js';

/** The dialog's own fields and methods the handling of a request uses (Dialog has them). */
export interface DialogState {
  readonly callId: string;
  remoteTarget: string;
  remoteSdp: string | undefined;
  localSdp: string | undefined;
  readonly onReinvite: ((offer: string | undefined) => string | Promise<string>) | undefined;
  readonly onRefer: ((referTo: string) => number) | undefined;
  expectAck(seq: number, onAck: (sdp: string | undefined) => void): void;
  startSessionTimer(seconds: number, refresher: 'uac' | 'uas', weSentTheRequest: boolean): void;
  stopSessionTimer(): void;
}

/** What the handling of a request needs of its dialog, private state included. */
export interface DialogRequestHost {
  readonly dialog: DialogState;
  readonly log: Logger;
  readonly sessionTimerPolicy: SessionTimerPolicy;
  /** An offer of the far end is being answered (a second one gets 500). */
  answeringOffer: boolean;
  /** Our Contact for the dialog's transport. */
  contact(): string;
  /** A re-INVITE or UPDATE we sent waits for its final response. */
  outgoingOffer(): boolean;
  remoteBye(): void;
  referDone(status: number): void;
  emit<K extends keyof DialogEvents>(event: K, ...args: DialogEvents[K]): void;
}

export function receiveInDialog(host: DialogRequestHost, inbound: InboundRequest): void {
  const { req } = inbound;
  switch (req.method) {
    case 'BYE':
      inbound.respond(200);
      host.remoteBye();
      return;
    case 'INVITE':
    case 'UPDATE':
      return receiveOffer(host, inbound);
    case 'REFER':
      return receiveRefer(host, inbound);
    case 'INFO': {
      inbound.respond(200);
      const contentType = headerValue(req.headers, 'content-type');
      const body = req.body.toString('utf8');
      const dtmf = contentType?.toLowerCase().startsWith('application/dtmf-relay')
        ? parseDtmfRelay(body)
        : undefined;
      host.emit('info', { contentType, body, dtmf });
      return;
    }
    case 'NOTIFY': {
      inbound.respond(200);
      const body = req.body.toString('utf8');
      const status = sipfragStatus(body);
      host.emit('notify', { event: headerValue(req.headers, 'event'), status, body });
      if (status !== undefined && status >= 200) host.referDone(status);
      return;
    }
    case 'OPTIONS':
      return inbound.respond(200, { headers: [ALLOW_HEADER, SUPPORTED_HEADER] });
    default:
      return inbound.respond(501, { headers: [ALLOW_HEADER] });
  }
}

/** The session timer the far end's request asks for, or why it cannot have it (422). */
function timerOf(host: DialogRequestHost, headers: HeaderList): SessionTimerAnswer {
  return answerSessionTimer(headers, host.sessionTimerPolicy);
}

function applyTimer(host: DialogRequestHost, timer: SessionTimerAnswer): void {
  if (timer.kind === 'timer') host.dialog.startSessionTimer(timer.seconds, timer.refresher, false);
  else host.dialog.stopSessionTimer();
}

/** A re-INVITE (RFC 3261 §14.2) or an UPDATE (RFC 3311), with or without an offer. */
function receiveOffer(host: DialogRequestHost, inbound: InboundRequest): void {
  const { req } = inbound;
  const isInvite = req.method === 'INVITE';
  const offer = req.body.length > 0 ? req.body.toString('utf8') : undefined;
  const timer = timerOf(host, req.headers);
  if (timer.kind === 'too-small')
    return inbound.respond(422, { headers: [['min-se', String(timer.minSeconds)]] });
  if (isInvite || offer !== undefined) {
    // one offer at a time in each direction: theirs pending 500, ours pending 491
    if (host.answeringOffer)
      return inbound.respond(500, {
        headers: [['retry-after', String(Math.floor(Math.random() * 11))]],
      });
    if (host.outgoingOffer()) return inbound.respond(491);
  }
  const contact = parseNameAddr(headerValue(req.headers, 'contact') ?? '');
  if (contact) host.dialog.remoteTarget = contact.uri;
  const headers: HeaderList = [
    ['contact', host.contact()],
    ALLOW_HEADER,
    SUPPORTED_HEADER,
    ...sessionTimerHeaders(timer),
  ];
  if (!isInvite && offer === undefined) {
    // an UPDATE without a body: a session refresh (RFC 4028 §9)
    inbound.respond(200, { headers });
    return applyTimer(host, timer);
  }
  const handler = host.dialog.onReinvite;
  if (!handler) return inbound.respond(488);
  host.answeringOffer = true;
  void Promise.resolve()
    .then(() => handler(offer))
    .then(
      (sdp) => {
        if (isInvite) {
          host.dialog.expectAck(req.cseq.seq, (answer) => {
            if (inbound.tx instanceof ServerInviteTransaction) inbound.tx.ack2xx();
            if (offer === undefined) {
              if (answer !== undefined) host.dialog.remoteSdp = answer;
              host.emit('answer', { sdp: answer });
            }
          });
        }
        inbound.respond(200, { body: sdp, headers });
        host.dialog.localSdp = sdp;
        if (offer !== undefined) host.dialog.remoteSdp = offer;
        applyTimer(host, timer);
        host.emit('reinvite', { offer, answer: sdp });
      },
      (error: unknown) => {
        // a SipError says how to answer (488, or 491 while an offer of the application waits)
        if (error instanceof SipError) return inbound.respond(error.status);
        host.log.warn('sip offer handler failed', {
          callId: host.dialog.callId,
          error: String(error),
        });
        inbound.respond(488);
      },
    )
    .finally(() => (host.answeringOffer = false));
}

function receiveRefer(host: DialogRequestHost, inbound: InboundRequest): void {
  const referTo = parseNameAddr(headerValue(inbound.req.headers, 'refer-to') ?? '');
  if (!referTo) return inbound.respond(400, { reason: 'Missing Refer-To' });
  let status = 603;
  try {
    status = host.dialog.onRefer?.(referTo.uri) ?? 603;
  } catch (error) {
    host.log.warn('sip refer handler failed', { error: String(error) });
  }
  inbound.respond(status);
  host.emit('refer', { referTo: referTo.uri, status });
}
