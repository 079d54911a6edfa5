// TCP listener and connection pool: inbound connections are framed by Content-Length; outbound
// messages reuse an open connection to the same address:port or open one. Bounded connections,
// idle timeout, and a framing error closes only that connection.
import net from 'node:net';
import { type FramerOutput, StreamFramer } from './stream-framer.js';
import type { ParseLimits } from './parse-result.js';
import type { Logger, Source } from './transport.js';

export interface TcpLimits {
  maxConnections: number;
  idleTimeoutMs: number;
  parse: ParseLimits;
}

type FrameHandler = (frame: FramerOutput, source: Source) => void;

function normalize(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

export class TcpTransport {
  readonly #server: net.Server;
  readonly #connections = new Map<string, net.Socket>();
  readonly #onFrame: FrameHandler;
  readonly #limits: TcpLimits;
  readonly #log: Logger;

  private constructor(server: net.Server, onFrame: FrameHandler, limits: TcpLimits, log: Logger) {
    this.#server = server;
    this.#onFrame = onFrame;
    this.#limits = limits;
    this.#log = log;
  }

  static listen(
    host: string,
    port: number,
    onFrame: FrameHandler,
    limits: TcpLimits,
    log: Logger,
  ): Promise<TcpTransport> {
    const server = net.createServer();
    server.maxConnections = limits.maxConnections;
    const transport = new TcpTransport(server, onFrame, limits, log);
    server.on('connection', (socket) => transport.#adopt(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => log.warn('sip tcp server error', { error: String(error) }));
        resolve(transport);
      });
    });
  }

  get port(): number {
    const addr = this.#server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #adopt(socket: net.Socket): string {
    const source: Source = {
      address: normalize(socket.remoteAddress),
      port: socket.remotePort ?? 0,
      transport: 'tcp',
    };
    const key = `${source.address}:${source.port}`;
    this.#connections.set(key, socket);
    const framer = new StreamFramer(this.#limits.parse);
    socket.setNoDelay(true);
    socket.setTimeout(this.#limits.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        this.#onFrame(frame, source);
        if (frame.type === 'fatal') socket.end();
      }
    });
    socket.on('error', (error) =>
      this.#log.debug('sip tcp connection error', { error: String(error) }),
    );
    socket.on('close', () => {
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
    return key;
  }

  /** Sends on an open connection to address:port or opens one; `onError` if that fails. */
  send(data: Buffer, address: string, port: number, onError?: () => void): void {
    const key = `${address}:${port}`;
    let socket = this.#connections.get(key);
    if (!socket || socket.destroyed) {
      if (this.#connections.size >= this.#limits.maxConnections) {
        this.#log.warn('sip tcp connection limit reached', { limit: this.#limits.maxConnections });
        onError?.();
        return;
      }
      socket = net.connect({ host: address, port });
      this.#connections.set(key, socket);
      const pending = socket;
      pending.once('connect', () => {
        if (this.#connections.get(key) === pending) this.#connections.delete(key);
        this.#adopt(pending);
        // Keep the key we dialled too, so later sends to address:port reuse this connection.
        this.#connections.set(key, pending);
      });
      pending.on('error', (error) => {
        this.#log.debug('sip tcp connect failed', { error: String(error) });
        onError?.();
      });
      pending.on('close', () => {
        if (this.#connections.get(key) === pending) this.#connections.delete(key);
      });
    }
    socket.write(data);
  }

  async close(): Promise<void> {
    for (const s of this.#connections.values()) s.destroy();
    this.#connections.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
