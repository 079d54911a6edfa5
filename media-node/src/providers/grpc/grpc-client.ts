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

export function makeClient(
  ctor: grpc.ServiceClientConstructor,
  o: GrpcClientOptions,
  field: string,
): grpc.Client {
  if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(o.endpoint)) {
    throw new Error(`${field} "${o.endpoint}" must be host:port (e.g. stt.internal:50051)`);
  }
  const creds = o.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  return new ctor(o.endpoint, creds);
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
