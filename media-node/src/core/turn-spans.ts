/**
 * A call's trace: span `call` from INVITE to the end (core/call.ts), and under it a `turn` span per
 * agent turn with one span per stage laid end to end. Never a span per packet.
 */
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { TurnTimings } from './call-events.js';

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
