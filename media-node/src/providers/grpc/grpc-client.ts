/** Shared by the gRPC provider clients: channel creation, auth metadata, error mapping. */
import * as grpc from '@grpc/grpc-js';
import { ProviderError } from '../provider-error.js';
import { isRetryableStatus } from './proto.js';
import { traceContextHeaders } from '../../telemetry/trace-context.js';

export interface GrpcClientOptions {
  /** host:port of the service. */
  endpoint: string;
  /** Sent as `authorization: Bearer <key>`. */
  apiKey?: string;
  /** TLS to the service (default plaintext, for in-cluster services). */
  tls?: boolean;
}

/**
 * grpc-js keeps every message a call sends until the server's first response headers arrive, so
 * it could replay them on a retry. A speech-to-text stream sends audio for a whole utterance before
 * the server answers, so each call would hold its utterance's audio (up to 256 KB) for seconds,
 * and the media node's minor GCs would copy it over and over. The providers' callers retry at
 * their own level (replaying the utterance to a new stream), so the channel keeps nothing.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.enable_retries': 0,
  'grpc.per_rpc_retry_buffer_size': 0,
};

/**
 * Connections a provider's calls are spread over. Every barge-in and hang-up cancels a stream,
 * which sends an RST_STREAM, and servers limit how fast a connection may reset streams (the
 * HTTP/2 "rapid reset" defence: Node's, through nghttp2, allows a burst of 1000 and 33 a second
 * after that, then closes the connection and fails every stream on it). One busy media node
 * cancels more than that; spread over four connections each stays well under it.
 */
export const PROVIDER_CONNECTIONS = 4;

/** Clients of one provider service, each on its own connection; `pick()` takes turns. */
export interface ClientPool {
  pick(): grpc.Client;
  close(): void;
}

export function makeClientPool(
  ctor: grpc.ServiceClientConstructor,
  o: GrpcClientOptions,
  field: string,
  connections = PROVIDER_CONNECTIONS,
): ClientPool {
  if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(o.endpoint)) {
    throw new Error(`${field} "${o.endpoint}" must be host:port (e.g. stt.internal:50051)`);
  }
  const creds = o.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  // A local subchannel pool gives each client a connection of its own.
  const options = { ...CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 };
  const clients = Array.from({ length: connections }, () => new ctor(o.endpoint, creds, options));
  let next = 0;
  return {
    pick: () => clients[next++ % clients.length]!,
    close: () => {
      for (const c of clients) c.close();
    },
  };
}

/** A call's metadata: the key, and the W3C trace context of the turn that makes the call. */
export function callMetadata(o: GrpcClientOptions): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(traceContextHeaders())) md.set(key, value);
  if (o.apiKey) md.set('authorization', `Bearer ${o.apiKey}`);
  return md;
}

export function grpcError(provider: string, err: unknown): ProviderError {
  const code = (err as { code?: number }).code;
  const name = code === undefined ? 'error' : (grpc.status[code] ?? String(code));
  return new ProviderError(provider, `${provider} call failed: ${name}`, {
    retryable: isRetryableStatus(code),
    cause: err,
  });
}
