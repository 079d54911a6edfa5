// Binds the UDP sockets of one call: RTP on an even port from the configured range and RTCP on the
// next (odd) port. Starts at a random even port and walks the range, so concurrent calls and
// processes rarely collide and a busy port only costs a retry.

import { createSocket, type Socket } from 'node:dgram';

/** Inclusive port range for RTP; RTP ports are the even ones, RTCP uses port + 1. */
export interface PortRange {
  min: number;
  max: number;
}

/** A bound RTP/RTCP socket pair. */
export interface BoundPair {
  rtp: Socket;
  rtcp: Socket;
  port: number;
}

function bindOne(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** Error when every even port of the range (or the attempts allowed) is taken. */
export class PortRangeExhaustedError extends Error {
  override readonly name = 'PortRangeExhaustedError';
}

/** Binds an RTP/RTCP pair on `host` inside `range`. */
export async function bindPortPair(
  host: string,
  range: PortRange,
  maxAttempts = 64,
): Promise<BoundPair> {
  const first = range.min + (range.min % 2);
  const count = Math.floor((range.max - 1 - first) / 2) + 1;
  if (!(count > 0) || range.min < 1 || range.max > 65535) {
    throw new RangeError(
      `RTP port range ${range.min}-${range.max} holds no even port with a port above it`,
    );
  }
  const start = Math.floor(Math.random() * count);
  let lastError: unknown;
  for (let i = 0; i < Math.min(count, maxAttempts); i++) {
    const port = first + ((start + i) % count) * 2;
    let rtp: Socket | undefined;
    try {
      rtp = await bindOne(host, port);
      const rtcp = await bindOne(host, port + 1);
      return { rtp, rtcp, port };
    } catch (err) {
      rtp?.close();
      lastError = err;
    }
  }
  throw new PortRangeExhaustedError(
    `no free RTP port pair in ${range.min}-${range.max} on ${host}`,
    {
      cause: lastError,
    },
  );
}
