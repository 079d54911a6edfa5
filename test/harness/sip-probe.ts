// One SIP request over UDP and its first final answer's text, for probing an edge or a node from
// the host: sent from the address the route to the target leaves from, so a peer in a container
// or a pod can answer it.
import { createSocket } from 'node:dgram';
import { sourceAddressFor } from '@voicefleet/devtools/caller';

export interface SipProbe {
  method: 'OPTIONS' | 'INVITE';
  host: string;
  port: number;
  /** Request-URI user part (a dialled number); none for OPTIONS to the server itself. */
  user?: string;
  timeoutMs?: number;
}

/** Sends the request and resolves with the first final (>= 200) response. */
export async function sipRequest(p: SipProbe): Promise<string> {
  const local = await sourceAddressFor(p.host, p.port);
  const socket = createSocket('udp4');
  const tag = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no final SIP answer from ${p.host}:${p.port} within ${p.timeoutMs ?? 3000} ms`,
            ),
          ),
        p.timeoutMs ?? 3000,
      );
      socket.on('message', (msg) => {
        const text = msg.toString();
        if (/^SIP\/2\.0 1\d\d /.test(text)) return;
        clearTimeout(timer);
        resolve(text);
      });
      socket.bind(0, local, () => {
        const lport = socket.address().port;
        const ruri = `sip:${p.user === undefined ? '' : `${p.user}@`}${p.host}:${p.port}`;
        const sdp =
          p.method === 'INVITE'
            ? `v=0\r\no=- 1 1 IN IP4 ${local}\r\ns=-\r\nc=IN IP4 ${local}\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`
            : '';
        const msg = [
          `${p.method} ${ruri} SIP/2.0`,
          `Via: SIP/2.0/UDP ${local}:${lport};branch=z9hG4bK-${tag};rport`,
          'Max-Forwards: 70',
          `From: <sip:probe@${local}:${lport}>;tag=${tag}`,
          `To: <${ruri}>`,
          `Call-ID: probe-${tag}@${local}`,
          `CSeq: 1 ${p.method}`,
          `Contact: <sip:probe@${local}:${lport}>`,
          ...(sdp ? ['Content-Type: application/sdp'] : []),
          `Content-Length: ${Buffer.byteLength(sdp)}`,
          '',
          sdp,
        ].join('\r\n');
        socket.send(msg, p.port, p.host);
      });
    });
  } finally {
    socket.close();
  }
}
