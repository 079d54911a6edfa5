/**
 * OpenTelemetry traces: one trace per call (span `call`, INVITE -> BYE) with a child span per
 * agent turn and per stage inside it. Never a span per packet. Exporting is on only when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (OTLP over gRPC); otherwise spans are no-ops.
 */
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { TurnTimings } from './call-events.js';

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

/** Stage spans in order: name and the timing key that ends the stage. */
const STAGES: readonly (readonly [string, keyof TurnTimings])[] = [
  ['stt', 'sttFinalMs'],
  ['llm', 'llmFirstTokenMs'],
  ['tts', 'ttsFirstAudioMs'],
  ['rtp', 'firstRtpMs'],
];

/**
 * Records a finished turn under the call span: a `turn` span from the end of caller speech to the
 * first RTP packet, with one span per stage laid end to end.
 */
export function recordTurnSpans(
  tracer: Tracer,
  callSpan: Span,
  endOfSpeechMs: number,
  timings: TurnTimings,
): void {
  const parent = trace.setSpan(context.active(), callSpan);
  const turn = tracer.startSpan('turn', { startTime: endOfSpeechMs }, parent);
  const turnContext = trace.setSpan(parent, turn);
  let previous = 0;
  for (const [name, key] of STAGES) {
    const at = timings[key];
    if (at === undefined) continue;
    const stage = tracer.startSpan(name, { startTime: endOfSpeechMs + previous }, turnContext);
    stage.end(endOfSpeechMs + at);
    previous = at;
  }
  turn.end(endOfSpeechMs + previous);
}
