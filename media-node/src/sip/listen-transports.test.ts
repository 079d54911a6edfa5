import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { DEFAULT_PARSE_LIMITS } from './parse-result.js';
import { listenTransports, type ListenOptions } from './listen-transports.js';
import type { UdpPort } from './transport.js';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function options(overrides: Partial<ListenOptions>): ListenOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    transports: ['udp', 'tcp'],
    limits: DEFAULT_PARSE_LIMITS,
    maxTcpConnections: 8,
    tcpIdleTimeoutMs: 1_000,
    log: quiet,
    onDatagram: () => undefined,
    onFrame: () => undefined,
    ...overrides,
  };
}

/** A UDP port bound by a plain socket, standing in for the RTP thread's. */
async function bindUdpPort(host: string, port: number): Promise<UdpPort & { closed: boolean }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, resolve);
  });
  const bound = {
    port: socket.address().port,
    closed: false,
    receive: () => undefined,
    send: () => undefined,
    close: () =>
      new Promise<void>((resolve) => {
        bound.closed = true;
        socket.close(() => resolve());
      }),
  };
  return bound;
}

/** Holds the TCP side of `port` on loopback, as another process's socket would. */
async function holdTcp(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

describe('listenTransports with a UDP socket bound elsewhere', () => {
  const held: net.Server[] = [];
  after(() => held.forEach((s) => s.close()));

  it('binds again when a free port’s TCP side is taken, and closes the socket it gave up', async () => {
    const binds: Array<UdpPort & { closed: boolean }> = [];
    const transports = await listenTransports(
      options({
        bindUdp: async (host, port) => {
          assert.equal(port, 0, 'a free-port request asks for a free port every time');
          const udp = await bindUdpPort(host, port);
          // the first port's TCP side is taken before the listener gets to it
          if (binds.length === 0) held.push(await holdTcp(udp.port));
          binds.push(udp);
          return udp;
        },
      }),
    );
    try {
      assert.equal(binds.length, 2);
      assert.equal(binds[0]?.closed, true, 'the socket whose TCP side was taken is closed');
      assert.equal(transports.port, binds[1]?.port);
      const client = net.connect(transports.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) =>
        client.once('connect', resolve).once('error', reject),
      );
      client.destroy();
    } finally {
      await transports.close();
    }
  });

  it('gives up at once on a fixed port whose TCP side is taken, naming it', async () => {
    const probe = await bindUdpPort('127.0.0.1', 0);
    const port = probe.port;
    held.push(await holdTcp(port));
    await probe.close();
    let binds = 0;
    await assert.rejects(
      listenTransports(
        options({
          port,
          bindUdp: (host, p) => {
            binds++;
            return bindUdpPort(host, p);
          },
        }),
      ),
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`),
    );
    assert.equal(binds, 1);
  });
});
