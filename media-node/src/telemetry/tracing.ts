/**
 * OpenTelemetry tracing of the process: exporting is on only when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set (OTLP over gRPC); otherwise spans are no-ops. What is traced (one trace per call, a span
 * per turn and stage, never per packet) is the call core's: core/turn-spans.ts and core/call.ts.
 */
import { trace, type Tracer } from '@opentelemetry/api';

export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

export async function startTracing(env: NodeJS.ProcessEnv, serviceName: string): Promise<Tracing> {
  if (!env['OTEL_EXPORTER_OTLP_ENDPOINT']) {
    return { tracer: trace.getTracer('voicefleet-media-node'), shutdown: () => Promise.resolve() };
  }
  const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-grpc'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
    instrumentations: [],
  });
  sdk.start();
  return { tracer: trace.getTracer('voicefleet-media-node'), shutdown: () => sdk.shutdown() };
}
