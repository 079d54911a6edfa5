import { createSocket } from 'node:dgram';

/**
 * The local address the kernel would send from to reach `host` (connecting a UDP socket sends
 * nothing): 127.0.0.1 for a loopback peer, the pod's or the node's own address for a peer in a
 * cluster. A SIP user agent binds and advertises it so the peer can answer.
 */
export async function sourceAddressFor(host: string, port: number): Promise<string> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}
