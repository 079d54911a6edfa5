/** Shared by the gRPC provider clients: channel creation, auth metadata, error mapping. */
import * as grpc from '@grpc/grpc-js';
import { ProviderError } from '../provider-error.js';
import { isRetryableStatus } from './proto.js';

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

export function makeClient(
  ctor: grpc.ServiceClientConstructor,
  o: GrpcClientOptions,
  field: string,
): grpc.Client {
  if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(o.endpoint)) {
    throw new Error(`${field} "${o.endpoint}" must be host:port (e.g. stt.internal:50051)`);
  }
  const creds = o.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  return new ctor(o.endpoint, creds, CHANNEL_OPTIONS);
}

export function callMetadata(o: GrpcClientOptions): grpc.Metadata {
  const md = new grpc.Metadata();
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
