// Provider services as a traced deployment would run them: each request opens a server span whose
// parent is the W3C trace context the media node sent (gRPC metadata or HTTP headers), exported by
// the test process's own OpenTelemetry SDK. The spans show whether a provider's work lands under
// the turn that asked for it.
import * as grpc from '@grpc/grpc-js';
import type { IncomingMessage } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  propagation,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/** The W3C trace-context headers of a carrier, for `propagation.extract`. */
function extractFrom(headers: Record<string, string | undefined>) {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** A gRPC server interceptor: a `provider <method>` span per call, under the caller's context. */
export function tracingInterceptor(tracer: Tracer): grpc.ServerInterceptor {
  return (method, call) => {
    let span: Span | undefined;
    const end = () => span?.end();
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const get = (key: string) => metadata.get(key)[0]?.toString();
            span = tracer.startSpan(
              `provider ${method.path}`,
              { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc' } },
              extractFrom({ traceparent: get('traceparent'), tracestate: get('tracestate') }),
            );
            mdNext(metadata);
          },
          onCancel: end,
        }),
      sendStatus: (status, next) => {
        end();
        next(status);
      },
    });
  };
}

/** For the fake OpenAI server's `onRequest`: a `provider POST <path>` span per request. */
export function tracedHttpRequest(tracer: Tracer): (req: IncomingMessage) => () => void {
  return (req) => {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const span = tracer.startSpan(
      `provider ${req.method} ${req.url}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '' } },
      extractFrom({ traceparent: header('traceparent'), tracestate: header('tracestate') }),
    );
    return () => span.end();
  };
}

export const providerTracer = (): Tracer => trace.getTracer('voicefleet-test-providers');
