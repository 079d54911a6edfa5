// RTP for the media node: packets (RFC 3550), RFC 4733 DTMF, the adaptive jitter buffer, codecs
// behind a small interface, the one pacing scheduler shared by every call in the process, and the
// per-call RtpSession (UDP socket, symmetric RTP, playout queue, hold, media timeout, RTCP basics).

export {
  RTP_HEADER_BYTES,
  parseRtp,
  readRtpHeader,
  rtpHeader,
  serializeRtp,
  writeRtpHeader,
} from './packet.js';
export type { RtpHeader, RtpHeaderFields, RtpPacket, RtpParseResult } from './packet.js';
export {
  DtmfReceiver,
  DtmfSender,
  dtmfDigit,
  dtmfEventCode,
  parseTelephoneEvent,
  writeTelephoneEvent,
} from './dtmf.js';
export type { DtmfDigit, DtmfPacket, TelephoneEvent } from './dtmf.js';
export { JitterBuffer } from './jitter-buffer.js';
export type {
  JitterBufferOptions,
  JitterBufferStats,
  PlayoutFrame,
  PushResult,
} from './jitter-buffer.js';
export { PCMA, PCMU, SUPPORTED_CODECS, codecByName, withPayloadType } from './codec.js';
export type { Codec } from './codec.js';
export type { AudioSink } from './audio-sink.js';
export { PacingScheduler } from './scheduler.js';
export type { PacedSource, Pacer, PacingSchedulerOptions } from './scheduler.js';
export { PortRangeExhaustedError, bindPortPair } from './port-pair.js';
export type { BoundPair, PortRange } from './port-pair.js';
export { buildReport, parseRtcp } from './rtcp.js';
export type { ReportBlock, ReportInput, RtcpSummary } from './rtcp.js';
export { RtpSession } from './session.js';
export type {
  MediaDirection,
  RemoteAddress,
  RtpSessionEvents,
  RtpSessionOptions,
  RtpSessionStats,
} from './session.js';
