// Raw SIP bytes to a listener on loopback, for conformance tests (RFC 4475 torture messages):
// one datagram or one fresh TCP connection per message, the answers collected as they come.
import dgram from 'node:dgram';
import net from 'node:net';

const FINAL = /^SIP\/2\.0 [2-6]\d\d /m;

/** Status codes of the responses received (only each response's status line is read). */
export function statusCodes(datagrams: Buffer[]): number[] {
  return datagrams.flatMap((d) => {
    const m = /^SIP\/2\.0 (\d{3}) /.exec(d.toString('latin1'));
    return m ? [Number(m[1])] : [];
  });
}

/** Sends one datagram from 127.0.0.1; collects answers until a final response (+ 100 ms) or `waitMs`. */
export async function sendUdp(port: number, data: Buffer, waitMs: number): Promise<Buffer[]> {
  const socket = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  socket.on('message', (m) => {
    got.push(m);
    if (FINAL.test(m.toString('latin1'))) setTimeout(finished, 100);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  socket.send(data, port, '127.0.0.1');
  await Promise.race([done, new Promise((r) => setTimeout(r, waitMs))]);
  socket.close();
  return got;
}

/** Sends on a fresh connection; collects bytes until a final response or `waitMs`. */
export async function sendTcp(port: number, data: Buffer, waitMs: number): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let finished: () => void = () => undefined;
  const done = new Promise<void>((r) => (finished = r));
  socket.on('data', (d) => {
    chunks.push(d);
    if (FINAL.test(Buffer.concat(chunks).toString('latin1'))) finished();
  });
  socket.on('error', () => undefined);
  socket.write(data);
  await Promise.race([done, new Promise((r) => setTimeout(r, waitMs))]);
  socket.destroy();
  return Buffer.concat(chunks);
}
