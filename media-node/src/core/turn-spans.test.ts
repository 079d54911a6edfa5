import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { traceContextHeaders } from '../telemetry/trace-context.js';
import { callTracing } from './turn-spans.js';

function tracedCall() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  const callSpan = tracer.startSpan('call');
  const spans = (name: string): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => s.name === name);
  return { tracing: callTracing(tracer, callSpan), callSpan, spans };
}

const ms = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;

void describe('callTracing', () => {
  void it('lays a turn out from speech onset with its stages end to end from the end of speech', () => {
    const { tracing, callSpan, spans } = tracedCall();
    const onset = performance.now();
    const turn = tracing.turn(onset);
    turn.end({
      endOfSpeechAtMs: onset + 1000,
      timings: { sttFinalMs: 100, llmFirstTokenMs: 300, ttsFirstAudioMs: 350, firstRtpMs: 360 },
    });
    const [t] = spans('turn');
    assert.ok(t);
    assert.equal(t.parentSpanContext?.spanId, callSpan.spanContext().spanId);
    assert.equal(t.attributes['voicefleet.turn.answered'], true);
    assert.equal(t.attributes['voicefleet.turn.first_rtp_ms'], 360);
    const origin = performance.timeOrigin;
    assert.ok(Math.abs(ms(t.startTime) - (origin + onset)) < 1);
    assert.ok(Math.abs(ms(t.endTime) - (origin + onset + 1360)) < 1);
    const stages = ['stt', 'llm', 'tts', 'rtp'].map((n) => spans(n)[0]!);
    const bounds = stages.map((s) => [
      Math.round(ms(s.startTime) - origin - onset - 1000) + 0,
      Math.round(ms(s.endTime) - origin - onset - 1000) + 0,
    ]);
    assert.deepEqual(bounds, [
      [0, 100],
      [100, 300],
      [300, 350],
      [350, 360],
    ]);
    for (const s of stages) assert.equal(s.parentSpanContext?.spanId, t.spanContext().spanId);
  });

  void it('closes a turn once, unanswered when it ends without timings', () => {
    const { tracing, spans } = tracedCall();
    const turn = tracing.turn(performance.now());
    turn.end();
    turn.end({ endOfSpeechAtMs: performance.now(), timings: { firstRtpMs: 5 } });
    assert.equal(spans('turn').length, 1);
    assert.equal(spans('turn')[0]!.attributes['voicefleet.turn.answered'], false);
    assert.equal(spans('rtp').length, 0);
  });

  void it('gives provider requests made inside a turn its W3C trace context', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const { tracing, spans } = tracedCall();
      const turn = tracing.turn(performance.now());
      const headers = await turn.run(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return traceContextHeaders();
      });
      turn.end();
      const t = spans('turn')[0]!;
      const { traceId, spanId } = t.spanContext();
      assert.equal(headers['traceparent'], `00-${traceId}-${spanId}-01`);
      assert.deepEqual(traceContextHeaders(), {}, 'nothing outside the turn');
    } finally {
      context.disable();
      propagation.disable();
      trace.disable();
    }
  });

  void it('records a barge-in from caller speech to silence under the call', () => {
    const { tracing, callSpan, spans } = tracedCall();
    const at = performance.now();
    tracing.bargeIn(at, 40);
    const [b] = spans('barge-in');
    assert.ok(b);
    assert.equal(b.parentSpanContext?.spanId, callSpan.spanContext().spanId);
    assert.equal(b.attributes['voicefleet.barge_in.stop_latency_ms'], 40);
    assert.equal(Math.round(ms(b.endTime) - ms(b.startTime)), 40);
  });
});
