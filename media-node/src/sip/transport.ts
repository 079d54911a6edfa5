// Transport-facing types shared by the UDP and TCP listeners and the endpoint.

export type TransportName = 'udp' | 'tcp';

export interface Source {
  address: string;
  port: number;
  transport: TransportName;
}

export interface Target {
  address: string;
  port: number;
  transport: TransportName;
}

/** Where inbound bytes go; `close` is set for TCP so a framing error can drop the connection. */
export type ReceiveHandler = (data: Buffer, source: Source) => void;

export interface Logger {
  debug(msg: string, attrs?: Record<string, unknown>): void;
  info(msg: string, attrs?: Record<string, unknown>): void;
  warn(msg: string, attrs?: Record<string, unknown>): void;
  error(msg: string, attrs?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
