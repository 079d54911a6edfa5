// The media node's in-process SIP endpoint (RFC 3261 core): message parsing and serialization,
// transactions with retransmission timers, dialogs, and UDP + TCP transports on one port.
// The node uses SipEndpoint (answer and place calls, OPTIONS health answers, metrics hooks);
// the parser and state machines are exported for tests and tools.
export {
  SipEndpoint,
  type SipEndpointOptions,
  type OptionsAnswer,
  type EndpointEvents,
} from './endpoint.js';
export {
  IncomingInvite,
  type IncomingInviteEvents,
  type IncomingInviteState,
} from './incoming-invite.js';
export { Dialog, type DialogEvents, type DialogEndReason, type InfoEvent } from './dialog.js';
export type { InviteOptions } from './outgoing-invite.js';
export type { Credentials } from './digest.js';
export { SipError } from './sip-error.js';
export type { SipMetricsHooks, SipCounters } from './metrics.js';
export type { Logger, Source, Target, TransportName } from './transport.js';
export type {
  HeaderList,
  SipMessage,
  SipRequest,
  SipResponse,
  ValidRequest,
  ValidResponse,
  CSeq,
} from './message.js';
export { headerValue, headerValues } from './message.js';
export type { NameAddr } from './name-addr.js';
export { parseNameAddr, tagOf } from './name-addr.js';
export { parseMessage, type ParseOptions } from './parser.js';
export { DEFAULT_PARSE_LIMITS } from './parse-result.js';
export type { ParseResult, ParseFailure, ParseErrorCode, ParseLimits } from './parse-result.js';
// What a socket's owner needs to answer an INVITE on arrival with the endpoint's own bytes
// (the media node's RTP thread does, rtp-thread/worker/answer-on-arrival.ts).
export { decideOutOfDialog } from './request-policy.js';
export { dialogAnswerHeaders, writeResponse, type RespondOptions } from './inbound-request.js';
export { serverKey } from './transaction-key.js';
export {
  DEFAULT_SESSION_TIMER,
  answerSessionTimer,
  type SessionTimerPolicy,
} from './session-timer.js';
export { responseDestination, type Destination } from './via.js';
export type { AnsweredOnArrival, UdpBinder, UdpPort, UdpReceiver } from './transport.js';
export { StreamFramer } from './stream-framer.js';
export type { DtmfRelay } from './dialog-bodies.js';
export type { TimerHandle, Timers, TimerValues } from './timers.js';
export { sourceAddressFor } from './source-address.js';
