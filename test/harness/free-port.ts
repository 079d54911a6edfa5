import { createServer, type Server } from 'node:net';

async function listenEphemeral(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('free port: no TCP address'));
        return;
      }
      resolve({ server, port: address.port });
    });
  });
}

async function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind port 0, read it back, close). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Several distinct free ports: all are held open until the last is known, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const held: { server: Server; port: number }[] = [];
  try {
    for (let i = 0; i < count; i++) held.push(await listenEphemeral());
    return held.map((h) => h.port);
  } finally {
    await Promise.all(held.map((h) => close(h.server)));
  }
}
