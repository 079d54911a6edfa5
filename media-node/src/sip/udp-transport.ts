// UDP listener: one socket, datagrams in, datagrams out. Send errors are logged, never thrown.
import dgram from 'node:dgram';
import type { Logger } from './transport.js';

export class UdpTransport {
  readonly #socket: dgram.Socket;
  readonly #log: Logger;

  private constructor(socket: dgram.Socket, log: Logger) {
    this.#socket = socket;
    this.#log = log;
  }

  static bind(
    host: string,
    port: number,
    onDatagram: (data: Buffer, address: string, port: number) => void,
    log: Logger,
  ): Promise<UdpTransport> {
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', (error) => log.warn('sip udp socket error', { error: String(error) }));
        socket.on('message', (msg, rinfo) => onDatagram(msg, rinfo.address, rinfo.port));
        resolve(new UdpTransport(socket, log));
      });
    });
  }

  get port(): number {
    return this.#socket.address().port;
  }

  send(data: Buffer, address: string, port: number): void {
    this.#socket.send(data, port, address, (error) => {
      if (error) this.#log.debug('sip udp send failed', { error: String(error) });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
