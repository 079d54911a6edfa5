/**
 * OpenTelemetry tracing of the process: exporting is on only when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set (OTLP over gRPC; the SDK reads the other `OTEL_*` variables too, and propagates W3C trace
 * context); otherwise spans are no-ops. What is traced (one trace per call, a span
 * per turn and stage, never per packet) is the call core's: core/turn-spans.ts and core/call.ts.
 */
import { trace, type Tracer } from '@opentelemetry/api';

export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * `attributes` describe the process on every span (the agent and region it serves), so an SRE
 * finds an agent's calls by resource attribute; never a number or a call id here.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
  serviceName: string,
  attributes: Record<string, string> = {},
): Promise<Tracing> {
  const url = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  if (!url) {
    return { tracer: trace.getTracer('voicefleet-media-node'), shutdown: () => Promise.resolve() };
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
  return { tracer: trace.getTracer('voicefleet-media-node'), shutdown: () => sdk.shutdown() };
}
