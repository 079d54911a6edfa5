// Typed outcome of parsing one SIP message: never a throw.
import type { ValidRequest, ValidResponse } from './message.js';

export type ParseErrorCode =
  | 'empty'
  | 'too-large'
  | 'bad-start-line'
  | 'bad-version'
  | 'bad-request-uri'
  | 'bad-header-line'
  | 'too-many-headers'
  | 'header-too-long'
  | 'missing-header'
  | 'duplicate-header'
  | 'bad-header-value'
  | 'method-mismatch'
  | 'bad-content-length'
  | 'truncated-body';

/** Raw header values copied into an error response (RFC 3261 §8.2.6.2). */
export interface ReplyHeaders {
  via: string[];
  from: string | undefined;
  to: string | undefined;
  callId: string | undefined;
  cseq: string | undefined;
}

export interface ParseFailure {
  ok: false;
  code: ParseErrorCode;
  detail: string;
  /** Status a UAS answers with (400, 505, 513) when `reply` is present. */
  status: number;
  /** Present when the message was a request with a Via, so a response can be routed. */
  reply: ReplyHeaders | undefined;
}

export interface ParseSuccess {
  ok: true;
  message: ValidRequest | ValidResponse;
  /** Bytes of the input this message occupied (start line to end of body). */
  length: number;
}

export type ParseResult = ParseSuccess | ParseFailure;

export interface ParseLimits {
  maxMessageBytes: number;
  maxHeaders: number;
  maxHeaderBytes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxMessageBytes: 65_535,
  maxHeaders: 256,
  maxHeaderBytes: 8_192,
};
