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

/** An INVITE the socket's owner answered on arrival (rtp-thread/worker/answer-on-arrival.ts), for the endpoint. */
export interface AnsweredOnArrival {
  toTag: string;
  /** The 100, 180 and 200 that left, in order. */
  responses: readonly [Buffer, Buffer, Buffer];
  /** performance.now() when the INVITE arrived, and when its 200 left. */
  receivedAt: number;
  answeredAt: number;
  /** The media session the answer opened, for the application (opaque to the endpoint). */
  media: unknown;
  /** Gives the media up: the call could not be handed to the application. */
  discard(): void;
}

export type UdpReceiver = (
  data: Buffer,
  address: string,
  port: number,
  answered?: AnsweredOnArrival,
) => void;

/** A UDP socket the endpoint uses but does not own (the media node's lives on its RTP thread). */
export interface UdpPort {
  readonly port: number;
  /** Where datagrams go from now on. */
  receive(handler: UdpReceiver): void;
  send(data: Buffer, address: string, port: number): void;
  close(): Promise<void>;
}

/** Binds a UDP socket someone else owns (port 0: a free one), for an endpoint to use. */
export type UdpBinder = (host: string, port: number) => Promise<UdpPort>;
