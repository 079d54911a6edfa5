/**
 * OpenTelemetry tracing of a voicefleet process (the media node, the operator): exporting is on
 * only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (OTLP over gRPC; the SDK reads the other `OTEL_*`
 * variables too, and propagates W3C trace context). Unset, the SDK is never loaded and every span
 * is the API's no-op, so tracing costs nothing. What each process traces is its own business.
 */
import { trace, type Tracer } from '@opentelemetry/api';

export interface Tracing {
  /** Named after the service: `voicefleet-media-node`, `voicefleet-operator`. */
  tracer: Tracer;
  /** Whether spans are exported (the endpoint was set). */
  enabled: boolean;
  /** Flushes the spans not yet exported. */
  shutdown(): Promise<void>;
}

/**
 * `attributes` describe the process on every span (e.g. the agent and region a media node
 * serves), so an SRE finds a process's spans by resource attribute; never a number or a call id.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
  serviceName: string,
  attributes: Record<string, string> = {},
): Promise<Tracing> {
  const url = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!url) {
    return {
      tracer: trace.getTracer(serviceName),
      enabled: false,
      shutdown: () => Promise.resolve(),
    };
  }
  const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-grpc'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
    ]);
  const sdk = new NodeSDK({
    serviceName,
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
    instrumentations: [],
  });
  sdk.start();
  return { tracer: trace.getTracer(serviceName), enabled: true, shutdown: () => sdk.shutdown() };
}
