// Binds the UDP socket and the TCP listener on one port (port 0: a free port both can use).
import type { ParseLimits } from './parse-result.js';
import type { FramerOutput } from './stream-framer.js';
import { TcpTransport } from './tcp-transport.js';
import type {
  AnsweredOnArrival,
  Logger,
  Source,
  Target,
  TransportName,
  UdpBinder,
  UdpPort,
} from './transport.js';
import { UdpTransport } from './udp-transport.js';

export interface ListenOptions {
  host: string;
  port: number;
  transports: TransportName[];
  limits: ParseLimits;
  maxTcpConnections: number;
  tcpIdleTimeoutMs: number;
  log: Logger;
  /**
   * Binds a UDP socket someone else owns, used instead of binding one here (its port is the TCP
   * port). Called again when a free-port request finds the TCP side of the port taken.
   */
  bindUdp?: UdpBinder;
  onDatagram: (data: Buffer, source: Source, answered?: AnsweredOnArrival) => void;
  onFrame: (frame: FramerOutput, source: Source) => void;
}

export interface Transports {
  port: number;
  /** `onError`: the message could not be handed to a TCP connection (RFC 3261 §17.1.4). */
  send(target: Target, data: Buffer, onError?: () => void): void;
  close(): Promise<void>;
}

const ATTEMPTS = 10;

export async function listenTransports(options: ListenOptions): Promise<Transports> {
  const wantUdp = options.transports.includes('udp');
  const wantTcp = options.transports.includes('tcp');
  if (!wantUdp && !wantTcp) throw new Error('sip: transports must include udp or tcp');
  let lastError: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let udp: UdpTransport | UdpPort | undefined;
    try {
      if (wantUdp && options.bindUdp) {
        udp = await options.bindUdp(options.host, options.port);
        udp.receive((data, address, port, answered) =>
          options.onDatagram(data, { address, port, transport: 'udp' }, answered),
        );
      } else if (wantUdp) {
        udp = await UdpTransport.bind(
          options.host,
          options.port,
          (data, address, port) => options.onDatagram(data, { address, port, transport: 'udp' }),
          options.log,
        );
      }
      const port = udp?.port ?? options.port;
      const tcp = wantTcp
        ? await TcpTransport.listen(
            options.host,
            port,
            options.onFrame,
            {
              maxConnections: options.maxTcpConnections,
              idleTimeoutMs: options.tcpIdleTimeoutMs,
              parse: options.limits,
            },
            options.log,
          )
        : undefined;
      const boundPort = udp?.port ?? tcp?.port ?? 0;
      return {
        port: boundPort,
        send(target, data, onError) {
          if (target.transport === 'tcp' && tcp)
            tcp.send(data, target.address, target.port, onError);
          else if (udp) udp.send(data, target.address, target.port);
          else tcp?.send(data, target.address, target.port, onError);
        },
        async close() {
          await Promise.all([udp?.close(), tcp?.close()]);
        },
      };
    } catch (error) {
      lastError = error;
      await udp?.close();
      // Only a free-port request can retry: another socket took the TCP side of our UDP port.
      if (options.port !== 0) break;
    }
  }
  throw new Error(`sip: cannot listen on ${options.host}:${options.port}`, { cause: lastError });
}
