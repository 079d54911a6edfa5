// A SIP endpoint on an in-memory UDP socket with a manual clock, for unit tests of what it does
// on the wire: datagrams go in with deliver(), what it sends is in `sent`, timers run on
// advance(). Requests come from one caller (127.0.0.1:5070) to the endpoint (port 5080).
import assert from 'node:assert/strict';
import {
  SipEndpoint,
  type IncomingInvite,
  type SipEndpointOptions,
  type UdpPort,
  type UdpReceiver,
} from '../../media-node/src/sip/index.js';
import { ManualClock } from './manual-clock.js';

export const CALLER = { address: '127.0.0.1', port: 5070 };

export const CALLER_OFFER = [
  'v=0',
  'o=caller 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  '',
].join('\r\n');

export interface CallerRequest {
  method: string;
  callId: string;
  cseq: number;
  /** Via branch (default: one per call and method). */
  branch?: string;
  /** The endpoint's To tag, for a request inside the dialog. */
  toTag?: string;
  headers?: string[];
  body?: string;
  contentType?: string;
}

/** A request of the caller, as bytes on the wire. */
export function callerRequest(r: CallerRequest): Buffer {
  const body = r.body ?? '';
  return Buffer.from(
    [
      `${r.method} sip:agent@127.0.0.1:5080 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${r.branch ?? `z9hG4bK-${r.callId}-${r.method}`};rport`,
      'Max-Forwards: 70',
      'From: <sip:caller@127.0.0.1>;tag=caller',
      `To: <sip:agent@127.0.0.1>${r.toTag === undefined ? '' : `;tag=${r.toTag}`}`,
      `Call-ID: ${r.callId}`,
      `CSeq: ${r.cseq} ${r.method}`,
      'Contact: <sip:caller@127.0.0.1:5070>',
      ...(r.headers ?? []),
      ...(body ? [`Content-Type: ${r.contentType ?? 'application/sdp'}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

export interface MemoryEndpoint {
  ep: SipEndpoint;
  clock: ManualClock;
  /** Everything the endpoint sent, in order (latin1 text). */
  sent: string[];
  invites: IncomingInvite[];
  deliver: UdpReceiver;
  /** Delivers a request of the caller. */
  send(r: CallerRequest): void;
  /** The responses sent with `status` to `method` (by CSeq). */
  responses(status: number, method: string): string[];
}

export async function memoryEndpoint(
  options: Partial<SipEndpointOptions> = {},
): Promise<MemoryEndpoint> {
  const clock = new ManualClock();
  const sent: string[] = [];
  let deliver: UdpReceiver = () => assert.fail('the endpoint did not take the socket');
  const udp: UdpPort = {
    port: 5080,
    receive: (handler) => (deliver = handler),
    send: (data) => sent.push(data.toString('latin1')),
    close: () => Promise.resolve(),
  };
  const ep = await SipEndpoint.listen({
    host: '127.0.0.1',
    port: 5080,
    bindUdp: () => Promise.resolve(udp),
    transports: ['udp'],
    timers: clock,
    ...options,
  });
  const invites: IncomingInvite[] = [];
  ep.on('invite', (inv) => invites.push(inv));
  return {
    ep,
    clock,
    sent,
    invites,
    deliver: (...args) => deliver(...args),
    send: (r) => deliver(callerRequest(r), CALLER.address, CALLER.port),
    responses: (status, method) =>
      sent.filter(
        (m) =>
          m.startsWith(`SIP/2.0 ${status} `) &&
          new RegExp(`^CSeq: \\d+ ${method}\\r$`, 'm').test(m),
      ),
  };
}

/** A header's value in a message as sent (first occurrence), or undefined. */
export function header(message: string, name: string): string | undefined {
  return new RegExp(`^${name}: *(.*?)\\r$`, 'mi').exec(message)?.[1];
}

/** The To tag of a message as sent. */
export function toTag(message: string): string | undefined {
  return /;tag=([^;>\s]+)/.exec(header(message, 'To') ?? '')?.[1];
}
