import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

// The local fleet's and the tests' services get ports from a band nothing else hands out: below
// the kernel's ephemeral range (32768+, where every outgoing connection takes its local port, so a
// port read back from bind(0) can be taken again before it is used) and apart from the RTP ranges
// the tests and the local fleet use (20000-39999). A port is free when both TCP and UDP bind it.
const BAND = { min: 10000, max: 19999 };

interface Held {
  port: number;
  server: Server;
  socket: Socket;
}

function listenTcp(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.unref();
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

async function hold(taken: Set<number>): Promise<Held> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = BAND.min + Math.floor(Math.random() * (BAND.max - BAND.min + 1));
    if (taken.has(port)) continue;
    const server = await listenTcp(port);
    if (!server) continue;
    const socket = await bindUdp(port);
    if (socket) return { port, server, socket };
    await close(server);
  }
  throw new Error(`free port: nothing free in ${BAND.min}-${BAND.max} after 200 tries`);
}

async function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port free for both TCP and UDP on 127.0.0.1 (see BAND). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Several distinct free ports: all are held open until the last is known, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const held: Held[] = [];
  try {
    const taken = new Set<number>();
    for (let i = 0; i < count; i++) {
      const h = await hold(taken);
      taken.add(h.port);
      held.push(h);
    }
    return held.map((h) => h.port);
  } finally {
    await Promise.all(
      held.map(async (h) => {
        h.socket.close();
        await close(h.server);
      }),
    );
  }
}
