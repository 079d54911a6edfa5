// Answer on arrival: an INVITE answered where it arrives. The node's SIP socket lives on the RTP
// thread, which runs ahead of the event loop (sip-front.ts); the plain case of a new call is
// answered there, so its 200 never waits behind the event loop's garbage collection or the other
// calls' work. The plain case: a dialog-creating INVITE over UDP whose SDP offer the node accepts,
// while the node admits calls. Everything else goes to the event loop's endpoint, which answers it
// as it always did, and which takes an answered call over from the 200 on (SipEndpoint takes over
// the transaction and the dialog). This file decides and writes the answer; it opens no socket.
import { LocalDescription, negotiateOffer, type OfferNegotiation } from '../../sdp/index.js';
import {
  decideOutOfDialog,
  dialogAnswerHeaders,
  parseMessage,
  responseDestination,
  serverKey,
  tagOf,
  writeResponse,
  type Destination,
  type ParseLimits,
  type RespondOptions,
  type SessionTimerPolicy,
  type Source,
  type ValidRequest,
} from '../../sip/index.js';

/** What decides and writes an answer on arrival (as the endpoint and the media factory would). */
export interface AnswerOnArrivalRules {
  /** The Contact header value the endpoint puts in its answers over UDP. */
  contact: string;
  /** Answer to the packet's source port even without rport (SipEndpointOptions.forceRport). */
  forceRport?: boolean;
  limits: ParseLimits;
  /** Codec names in the node's order of preference. */
  codecs: readonly string[];
  /** Address written into the SDP answer. */
  mediaAddress: string;
  /** Session timers (RFC 4028) as the endpoint negotiates them. */
  sessionTimer: SessionTimerPolicy;
}

/** A new call's INVITE the thread may answer, once a call slot and a socket pair are taken. */
export interface AnswerableInvite {
  req: ValidRequest;
  /** Its server transaction's key (retransmissions share it). */
  key: string;
  negotiation: OfferNegotiation;
}

/** What the thread sends and what the event loop needs to take the call over. */
export interface ArrivalAnswer {
  toTag: string;
  /** o= session id of the SDP answer (the dialog's later answers keep it). */
  sdpSessionId: number;
  /** 100 Trying, 180 Ringing and 200 OK with the SDP answer, in the order they are sent. */
  responses: [trying: Buffer, ringing: Buffer, ok: Buffer];
  destination: Destination;
}

/** Quick test before a parse: only an INVITE can be answered here. */
export function mayBeInvite(data: Buffer): boolean {
  return data.length > 7 && data.toString('latin1', 0, 7) === 'INVITE ';
}

/**
 * The INVITE in `data` if it opens a call this node would accept as the endpoint would, else
 * undefined (the event loop then answers: 4xx for what is wrong, 488 for an offer it cannot take,
 * 100 and a later answer for an INVITE without an offer).
 */
export function answerableInvite(
  data: Buffer,
  config: Pick<AnswerOnArrivalRules, 'limits' | 'codecs' | 'sessionTimer'>,
): AnswerableInvite | undefined {
  if (!mayBeInvite(data)) return undefined;
  const parsed = parseMessage(data, { limits: config.limits });
  if (!parsed.ok) return undefined;
  const req = parsed.message;
  if (req.kind !== 'request' || req.method !== 'INVITE') return undefined;
  if (tagOf(req.to) !== undefined || req.body.length === 0) return undefined;
  if (decideOutOfDialog(req, config.sessionTimer).kind !== 'invite') return undefined;
  const negotiated = negotiateOffer(req.body.toString('utf8'), { codecs: config.codecs });
  if (!negotiated.ok) return undefined;
  return { req, key: serverKey(req), negotiation: negotiated.negotiation };
}

/** The responses to `invite` for RTP on `port`, as the endpoint and the media factory write them. */
export function writeArrivalAnswer(
  invite: AnswerableInvite,
  source: Source,
  port: number,
  config: AnswerOnArrivalRules,
  ids: { toTag: string; sdpSessionId: number },
): ArrivalAnswer {
  const { req } = invite;
  const local = new LocalDescription(
    { address: config.mediaAddress, port, codecs: config.codecs },
    ids.sdpSessionId,
  );
  const sdp = local.answerNegotiated(invite.negotiation);
  // as the endpoint answers: IncomingInvite's progress() and accept()
  const respond = (status: number, options?: RespondOptions) =>
    writeResponse(req, source, status, ids.toTag, options);
  const top = req.via[0]!; // a valid request has one
  return {
    toTag: ids.toTag,
    sdpSessionId: ids.sdpSessionId,
    responses: [
      respond(100),
      respond(180, { headers: [['contact', config.contact]] }),
      respond(200, {
        headers: dialogAnswerHeaders(req, config.contact, config.sessionTimer),
        body: sdp,
      }),
    ],
    destination: responseDestination(top, source, config.forceRport),
  };
}
