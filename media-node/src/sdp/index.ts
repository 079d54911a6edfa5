// SDP for the media node: offer/answer of the audio stream (codec choice in our preference order,
// telephone-event, ptime, hold directions, c= at session or media level, extra m-lines rejected).
// The SIP layer hands SDP text in and gets SDP text plus what the RtpSession needs back;
// LocalDescription keeps our o= line across a dialog (re-INVITE answers bump its version).

export {
  TELEPHONE_EVENT_PT,
  answerOffer,
  createOffer,
  negotiateOffer,
  parseAnswer,
  writeAnswer,
} from './negotiate.js';
export type {
  AnswerResult,
  LocalMedia,
  NegotiateResult,
  NegotiatedMedia,
  NegotiationFailure,
  OfferNegotiation,
  ParseAnswerResult,
} from './negotiate.js';
export { answerDirection } from './remote-media.js';
export { LocalDescription } from './local-description.js';
export type { DialogMedia } from './local-description.js';
