// SIP message model: requests and responses as parsed from the wire or built for sending.
// Header names are kept in their canonical long, lower-case form ("via", "call-id").
import type { NameAddr } from './name-addr.js';
import type { Via } from './via.js';

export type HeaderList = Array<[name: string, value: string]>;

export interface CSeq {
  seq: number;
  method: string;
}

interface MessageBase {
  headers: HeaderList;
  body: Buffer;
  /** Parsed Via values, top first. */
  via: Via[];
  from: NameAddr | undefined;
  to: NameAddr | undefined;
  callId: string | undefined;
  cseq: CSeq | undefined;
}

export interface SipRequest extends MessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends MessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** A request whose mandatory headers are present and valid (what the parser hands on). */
export interface ValidRequest extends SipRequest {
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
}

export interface ValidResponse extends SipResponse {
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
}

export function headerValue(headers: HeaderList, name: string): string | undefined {
  for (const [n, v] of headers) if (n === name) return v;
  return undefined;
}

export function headerValues(headers: HeaderList, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n === name) out.push(v);
  return out;
}
