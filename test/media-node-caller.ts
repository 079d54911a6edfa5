/**
 * A small SIP (UDP) + RTP test caller for the media-node suites: places a call, streams µ-law
 * audio paced at 20 ms, sends RFC 4733 DTMF, re-INVITEs for hold, and records every RTP packet it
 * receives (arrival time, sequence number, timestamp, payload) so tests can judge what a caller
 * hears. SIP text is written by hand here so that the node's endpoint is tested by an independent
 * implementation.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeMulaw, encodeMulaw } from '../media-node/src/audio/g711.js';
import { writeTelephoneEvent, dtmfEventCode } from '../media-node/src/rtp/dtmf.js';
import { parseRtp, writeRtpHeader } from '../media-node/src/rtp/packet.js';

export interface HeardPacket {
  atMs: number;
  seq: number;
  ts: number;
  pt: number;
  marker: boolean;
  payload: Uint8Array;
}

export interface SipResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

const token = () => randomBytes(6).toString('hex');

function parseMessage(text: string): {
  startLine: string;
  headers: Map<string, string>;
  body: string;
} {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { startLine, headers, body };
}

export class TestCaller {
  readonly heard: HeardPacket[] = [];
  readonly callId = `${token()}@test-caller`;
  readonly #sip: Socket;
  readonly #rtp: Socket;
  readonly #node: { host: string; port: number };
  readonly #fromTag = token();
  #toTag = '';
  #cseq = 1;
  #remoteRtp: { host: string; port: number } | undefined;
  #seq = Math.floor(Math.random() * 60000);
  #ts = Math.floor(Math.random() * 1e9);
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff);
  readonly #responses: SipResponse[] = [];
  readonly #requests: string[] = [];
  #waiters: (() => void)[] = [];

  private constructor(sip: Socket, rtp: Socket, node: { host: string; port: number }) {
    this.#sip = sip;
    this.#rtp = rtp;
    this.#node = node;
    sip.on('message', (data) => this.#onSip(data.toString('utf8')));
    rtp.on('message', (data) => {
      const parsed = parseRtp(data);
      if (!parsed.ok) return;
      const p = parsed.packet;
      this.heard.push({
        atMs: performance.now(),
        seq: p.sequenceNumber,
        ts: p.timestamp,
        pt: p.payloadType,
        marker: p.marker,
        payload: Uint8Array.from(p.payload),
      });
    });
  }

  static async create(nodeSipPort: number, host = '127.0.0.1'): Promise<TestCaller> {
    const sip = createSocket('udp4');
    const rtp = createSocket('udp4');
    sip.bind(0, '127.0.0.1');
    rtp.bind(0, '127.0.0.1');
    await Promise.all([once(sip, 'listening'), once(rtp, 'listening')]);
    return new TestCaller(sip, rtp, { host, port: nodeSipPort });
  }

  get sipPort(): number {
    return this.#sip.address().port;
  }
  get rtpPort(): number {
    return this.#rtp.address().port;
  }
  /** Requests the node sent us (BYE, re-INVITE, ...), by method. */
  get requestsReceived(): string[] {
    return this.#requests;
  }

  #onSip(text: string): void {
    const msg = parseMessage(text);
    if (msg.startLine.startsWith('SIP/2.0 ')) {
      const status = Number(msg.startLine.split(' ')[1]);
      this.#responses.push({ status, headers: msg.headers, body: msg.body });
    } else {
      const method = msg.startLine.split(' ')[0] ?? '';
      this.#requests.push(method);
      if (method === 'REFER') this.#answerRefer(msg.headers);
      else if (method !== 'ACK') this.#reply(msg.headers, 200, 'OK');
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * How this phone answers a REFER: its status, and for an accepted one the final status of the
   * call to the target, sent in a NOTIFY (RFC 3515) after `notifyAfterMs`. Default: 202, then 200.
   */
  referAnswer: { status: number; notify?: number; notifyAfterMs?: number } = {
    status: 202,
    notify: 200,
  };

  #answerRefer(headers: Map<string, string>): void {
    const { status, notify, notifyAfterMs = 50 } = this.referAnswer;
    this.#reply(headers, status, status < 300 ? 'Accepted' : 'Refused');
    if (status >= 300 || notify === undefined) return;
    setTimeout(() => {
      this.#send('NOTIFY', {
        body: `SIP/2.0 ${notify} ${notify < 300 ? 'OK' : 'Failed'}\r\n`,
        contentType: 'message/sipfrag;version=2.0',
        extra: ['Event: refer', 'Subscription-State: terminated;reason=noresource'],
      });
    }, notifyAfterMs);
  }

  #reply(h: Map<string, string>, status: number, reason: string): void {
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      `Via: ${h.get('via') ?? h.get('v') ?? ''}`,
      `From: ${h.get('from') ?? h.get('f') ?? ''}`,
      `To: ${h.get('to') ?? h.get('t') ?? ''}`,
      `Call-ID: ${h.get('call-id') ?? h.get('i') ?? ''}`,
      `CSeq: ${h.get('cseq') ?? ''}`,
      'Content-Length: 0',
      '',
      '',
    ];
    this.#sip.send(lines.join('\r\n'), this.#node.port, this.#node.host);
  }

  #send(
    method: string,
    opts: {
      body?: string;
      contentType?: string;
      branch?: string;
      cseq?: number;
      extra?: string[];
    } = {},
  ): string {
    const branch = opts.branch ?? `z9hG4bK${token()}`;
    const cseq = opts.cseq ?? this.#cseq++;
    const body = opts.body ?? '';
    const to = `<sip:+14155550100@${this.#node.host}:${this.#node.port}>${this.#toTag ? `;tag=${this.#toTag}` : ''}`;
    const lines = [
      `${method} sip:+14155550100@${this.#node.host}:${this.#node.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.sipPort};branch=${branch};rport`,
      'Max-Forwards: 70',
      `From: <sip:+14155550123@127.0.0.1:${this.sipPort}>;tag=${this.#fromTag}`,
      `To: ${to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@127.0.0.1:${this.sipPort}>`,
      ...(opts.extra ?? []),
      ...(body ? [`Content-Type: ${opts.contentType ?? 'application/sdp'}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.#sip.send(lines.join('\r\n'), this.#node.port, this.#node.host);
    return branch;
  }

  sdp(direction: 'sendrecv' | 'sendonly' | 'inactive' = 'sendrecv', payloads = '0 101'): string {
    return [
      'v=0',
      `o=caller 1 ${this.#cseq} IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.rtpPort} RTP/AVP ${payloads}`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      `a=${direction}`,
      '',
    ].join('\r\n');
  }

  /** Waits for a response matching `pred`; throws after `timeoutMs`. */
  async response(pred: (r: SipResponse) => boolean, timeoutMs = 10_000): Promise<SipResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#responses.find(pred);
      if (found) {
        this.#responses.splice(this.#responses.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error('no matching SIP response');
      await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), sleep(100)]);
    }
  }

  async waitForRequest(method: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#requests.includes(method)) {
      if (Date.now() > deadline) throw new Error(`no ${method} from the node`);
      await sleep(50);
    }
  }

  /**
   * INVITE; on 200 sends ACK and learns the node's RTP address. Returns the final response.
   * `offer: false`: an INVITE without SDP (delayed offer); the 200 carries the node's offer, and
   * the ACK our answer.
   */
  async invite(
    opts: { sdp?: string; ack?: boolean; offer?: boolean } = {},
  ): Promise<SipResponse & { provisional: number[] }> {
    const cseq = this.#cseq;
    const offer = opts.offer === false ? '' : (opts.sdp ?? this.sdp());
    this.#inviteBranch = this.#send('INVITE', { body: offer });
    this.#inviteCseq = cseq;
    const provisional: number[] = [];
    for (;;) {
      const r = await this.response((x) => (x.headers.get('cseq') ?? '').endsWith('INVITE'));
      if (r.status < 200) {
        provisional.push(r.status);
        continue;
      }
      if (r.status === 200) {
        this.#toTag = /tag=([^;>\s]+)/.exec(r.headers.get('to') ?? '')?.[1] ?? '';
        const port = /m=audio (\d+)/.exec(r.body)?.[1];
        const host = /c=IN IP4 ([0-9.]+)/.exec(r.body)?.[1];
        if (port && host) this.#remoteRtp = { host, port: Number(port) };
        const answer = opts.offer === false ? this.sdp() : undefined;
        if (opts.ack !== false) this.#send('ACK', { cseq, ...(answer ? { body: answer } : {}) });
      } else {
        this.#send('ACK', { cseq, branch: this.#inviteBranch });
      }
      return { ...r, provisional };
    }
  }
  #inviteBranch = '';
  #inviteCseq = 0;

  /** ACKs the 200 of an INVITE sent with `ack: false`. */
  ack(): void {
    this.#send('ACK', { cseq: this.#inviteCseq });
  }

  /** Sends INVITE and, without waiting for an answer, CANCEL; returns both final responses. */
  async inviteAndCancel(): Promise<{ invite: SipResponse; cancel: SipResponse }> {
    const cseq = this.#cseq;
    this.#inviteBranch = this.#send('INVITE', { body: this.sdp() });
    this.#inviteCseq = cseq;
    this.#send('CANCEL', { branch: this.#inviteBranch, cseq });
    const cancel = await this.response((r) => (r.headers.get('cseq') ?? '').endsWith('CANCEL'));
    const invite = await this.response(
      (r) => r.status >= 200 && (r.headers.get('cseq') ?? '').endsWith('INVITE'),
    );
    this.#send('ACK', { cseq, branch: this.#inviteBranch });
    return { invite, cancel };
  }

  /** CANCEL the pending INVITE (same branch and CSeq number). */
  async cancel(): Promise<SipResponse> {
    this.#send('CANCEL', { branch: this.#inviteBranch, cseq: this.#inviteCseq });
    return this.response((r) => (r.headers.get('cseq') ?? '').endsWith('CANCEL'));
  }

  async reinvite(direction: 'sendrecv' | 'sendonly' | 'inactive'): Promise<SipResponse> {
    const cseq = this.#cseq;
    this.#send('INVITE', { body: this.sdp(direction) });
    const r = await this.response(
      (x) => x.status >= 200 && (x.headers.get('cseq') ?? '').startsWith(`${cseq} INVITE`),
    );
    this.#send('ACK', { cseq });
    return r;
  }

  async bye(): Promise<SipResponse> {
    const cseq = this.#cseq;
    this.#send('BYE', { cseq });
    return this.response((x) => (x.headers.get('cseq') ?? '').startsWith(`${cseq} BYE`));
  }

  async options(): Promise<SipResponse> {
    const cseq = this.#cseq;
    this.#send('OPTIONS', { cseq });
    return this.response((x) => (x.headers.get('cseq') ?? '').startsWith(`${cseq} OPTIONS`));
  }

  #sendRtp(pt: number, marker: boolean, ts: number, payload: Uint8Array): void {
    if (!this.#remoteRtp) throw new Error('no RTP address from the node yet');
    const out = new Uint8Array(12 + payload.length);
    writeRtpHeader(out, {
      marker,
      payloadType: pt,
      sequenceNumber: this.#seq,
      timestamp: ts >>> 0,
      ssrc: this.#ssrc,
    });
    this.#seq = (this.#seq + 1) & 0xffff;
    out.set(payload, 12);
    try {
      this.#rtp.send(out, this.#remoteRtp.port, this.#remoteRtp.host);
    } catch {
      // socket closed while the send clock was stopping
    }
  }

  #pending: { pcm: Int16Array; offset: number; done: () => void }[] = [];
  #media: Promise<void> | undefined;
  #mediaStop = new AbortController();
  #dtmfBusy = false;

  /**
   * Starts the phone's send clock: one µ-law frame every 20 ms (drift-free), speech when queued
   * with `speak`, silence otherwise, until `stopMedia`, `close` or `maxMs` (bounded).
   */
  startMedia(maxMs = 120_000): void {
    if (this.#media) return;
    const signal = this.#mediaStop.signal;
    this.#media = (async () => {
      const start = performance.now();
      const payload = new Uint8Array(160);
      const frame = new Int16Array(160);
      for (let i = 0; i * 20 < maxMs && !signal.aborted; i++) {
        frame.fill(0);
        const item = this.#pending[0];
        if (item) {
          frame.set(item.pcm.subarray(item.offset, Math.min(item.pcm.length, item.offset + 160)));
          item.offset += 160;
          if (item.offset >= item.pcm.length) {
            this.#pending.shift();
            item.done();
          }
        }
        if (!this.#dtmfBusy) {
          encodeMulaw(frame, payload);
          this.#sendRtp(0, i === 0, this.#ts, payload);
        }
        this.#ts += 160;
        const wait = start + (i + 1) * 20 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      for (const p of this.#pending.splice(0)) p.done();
    })();
  }

  async stopMedia(): Promise<void> {
    this.#mediaStop.abort();
    await this.#media;
  }

  /** Queues 8 kHz speech on the send clock (starting it if needed); resolves once it was sent. */
  speak(pcm: Int16Array): Promise<number> {
    this.startMedia();
    return new Promise<number>((resolve) => {
      this.#pending.push({ pcm, offset: 0, done: () => resolve(performance.now()) });
    });
  }

  /** Milliseconds of queued speech not yet sent. */
  get speaking(): boolean {
    return this.#pending.length > 0;
  }

  /** One RFC 4733 key press of ~100 ms: start (marker), updates, three end packets. */
  async dtmf(digit: string): Promise<void> {
    const event = dtmfEventCode(digit);
    if (event === undefined) throw new Error(`not a DTMF digit: ${digit}`);
    this.#dtmfBusy = true;
    const ts = this.#ts;
    const payload = new Uint8Array(4);
    try {
      for (let i = 1; i <= 5; i++) {
        writeTelephoneEvent(payload, { event, end: false, volume: 10, duration: i * 160 });
        this.#sendRtp(101, i === 1, ts, payload);
        await sleep(20);
      }
      writeTelephoneEvent(payload, { event, end: true, volume: 10, duration: 6 * 160 });
      for (let i = 0; i < 3; i++) this.#sendRtp(101, false, ts, payload);
    } finally {
      this.#dtmfBusy = false;
    }
  }

  /** Decoded PCM of the µ-law packets heard, in sequence order. */
  heardPcm(from = 0, to = this.heard.length): Int16Array {
    const packets = this.heard.slice(from, to).filter((p) => p.pt === 0);
    const out = new Int16Array(packets.length * 160);
    packets.forEach((p, i) =>
      decodeMulaw(p.payload, out.subarray(i * 160, i * 160 + p.payload.length)),
    );
    return out;
  }

  close(): void {
    this.#mediaStop.abort();
    this.#sip.close();
    this.#rtp.close();
  }
}

/** Mean absolute amplitude of µ-law payloads: ~0 for silence, hundreds or more for speech. */
export function loudness(packet: HeardPacket): number {
  const pcm = new Int16Array(packet.payload.length);
  decodeMulaw(packet.payload, pcm);
  let sum = 0;
  for (const s of pcm) sum += Math.abs(s);
  return sum / Math.max(1, pcm.length);
}
