// A scripted SIP peer for edge tests, standing in for a carrier gateway or a hung media node:
// answers OPTIONS 200 (unless silent), answers INVITEs with a chosen code (optionally after a
// digest challenge) or rings until cancelled (180, then 487 after the CANCEL's 200), and records
// every INVITE and OPTIONS it receives with its arrival time.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export type PeerBehaviour =
  | { kind: 'answer'; code: number; challenge?: { realm: string } }
  | { kind: 'ring' }
  | { kind: 'silent' };

export interface ReceivedInvite {
  at: number;
  callId: string;
  authorization: string | undefined;
  /** The datagram as received. */
  raw: string;
}

export interface KamailioPeer {
  port: number;
  invites: ReceivedInvite[];
  /** Arrival times of the OPTIONS probes received (answered or not). */
  options: number[];
  behaviour: PeerBehaviour;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  180: 'Ringing',
  200: 'OK',
  401: 'Unauthorized',
  408: 'Request Timeout',
  486: 'Busy Here',
  487: 'Request Terminated',
  500: 'Server Error',
  503: 'Service Unavailable',
  603: 'Decline',
};

export async function startKamailioPeer(
  port: number,
  behaviour: PeerBehaviour,
  ip = '127.0.0.1',
): Promise<KamailioPeer> {
  const socket: Socket = createSocket('udp4');
  const peer: KamailioPeer = {
    port,
    invites: [],
    options: [],
    behaviour,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  const ringing = new Map<string, string[]>();
  socket.on('message', (msg, rinfo) =>
    handle(peer, socket, msg.toString('latin1'), rinfo, ringing),
  );
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => resolve());
  });
  return peer;
}

/** `ringing`: the head lines of each INVITE left ringing, by Call-ID, until its CANCEL. */
function handle(
  peer: KamailioPeer,
  socket: Socket,
  text: string,
  rinfo: RemoteInfo,
  ringing: Map<string, string[]>,
): void {
  const [head = ''] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const start = lines[0] ?? '';
  if (start.startsWith('SIP/2.0')) return;
  const method = start.split(' ')[0] ?? '';
  const headers = (of: string[], name: string): string[] =>
    of.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const all = (name: string): string[] => headers(lines, name);
  const one = (name: string): string | undefined =>
    all(name)[0]
      ?.slice(name.length + 1)
      .trim();
  /** Answers this request, or with `to` the INVITE whose head lines those are. */
  const reply = (code: number, extra: string[] = [], toTag = true, request = lines): void => {
    const field = (name: string): string[] => headers(request, name);
    const to = field('To')[0] ?? 'To: <sip:x@invalid>';
    const lines2 = [
      `SIP/2.0 ${code} ${REASONS[code] ?? 'Reply'}`,
      ...field('Via'),
      ...field('From'),
      toTag && !/;tag=/.test(to) ? `${to};tag=peer${peer.port}` : to,
      ...field('Call-ID'),
      ...field('CSeq'),
      ...(code === 200 ? field('Record-Route') : []),
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ];
    socket.send(Buffer.from(lines2.join('\r\n'), 'latin1'), rinfo.port, rinfo.address);
  };
  const b = peer.behaviour;
  if (method === 'OPTIONS') {
    peer.options.push(Date.now());
    if (b.kind !== 'silent') reply(200, [], false);
    return;
  }
  if (method === 'BYE' || method === 'CANCEL') {
    reply(200);
    const invite = method === 'CANCEL' ? ringing.get(one('Call-ID') ?? '') : undefined;
    if (invite) {
      ringing.delete(one('Call-ID') ?? '');
      reply(487, [], true, invite);
    }
    return;
  }
  if (method !== 'INVITE') return;
  const authorization = one('Authorization') ?? one('Proxy-Authorization');
  peer.invites.push({ at: Date.now(), callId: one('Call-ID') ?? '', authorization, raw: text });
  if (b.kind === 'silent') return;
  if (b.kind === 'ring') {
    ringing.set(one('Call-ID') ?? '', lines);
    reply(180);
    return;
  }
  if (b.challenge !== undefined && authorization === undefined) {
    reply(401, [
      `WWW-Authenticate: Digest realm="${b.challenge.realm}", nonce="${Date.now().toString(16)}", algorithm=MD5, qop="auth"`,
    ]);
    return;
  }
  if (b.code === 200) reply(100, [], false);
  reply(b.code, b.code === 200 ? [`Contact: <sip:${'127.0.0.1'}:${peer.port}>`] : []);
}
