/**
 * A call's trace below the `call` span (core/call.ts): a `turn` span from the caller's speech
 * onset (or DTMF key) to the reply's first RTP packet, with one span per stage laid end to end from
 * the end of caller speech (stt, llm, tts, rtp), and a `barge-in` span from caller speech to the
 * agent falling silent. Provider requests of a turn run inside its span, so the W3C trace context
 * they carry names the turn as parent. Never a span per packet.
 */
import { performance } from 'node:perf_hooks';
import { context, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { AgentTracing, TurnTimings, TurnTrace } from '../agent/types.js';

/** Stage spans in order: name, the timing key that ends the stage, the turn's attribute for it. */
const STAGES: readonly (readonly [string, keyof TurnTimings, string])[] = [
  ['stt', 'sttFinalMs', 'voicefleet.turn.stt_final_ms'],
  ['llm', 'llmFirstTokenMs', 'voicefleet.turn.llm_first_token_ms'],
  ['tts', 'ttsFirstAudioMs', 'voicefleet.turn.tts_first_audio_ms'],
  ['rtp', 'firstRtpMs', 'voicefleet.turn.first_rtp_ms'],
];

/** Agent clock (performance.now() ms) to epoch ms, as spans take it. */
const epochMs = (atMs: number): number => performance.timeOrigin + atMs;

/** The tracing an agent session of this call uses: its turns and barge-ins under `callSpan`. */
export function callTracing(tracer: Tracer, callSpan: Span): AgentTracing {
  const parent = trace.setSpan(context.active(), callSpan);
  let turns = 0;
  return {
    turn: (atMs) => openTurn(tracer, parent, atMs, ++turns),
    bargeIn: (atMs, stopLatencyMs) => {
      const span = tracer.startSpan(
        'barge-in',
        {
          startTime: epochMs(atMs),
          attributes: { 'voicefleet.barge_in.stop_latency_ms': stopLatencyMs },
        },
        parent,
      );
      span.end(epochMs(atMs + stopLatencyMs));
    },
  };
}

function openTurn(tracer: Tracer, parent: Context, atMs: number, index: number): TurnTrace {
  const span = tracer.startSpan(
    'turn',
    { startTime: epochMs(atMs), attributes: { 'voicefleet.turn.index': index } },
    parent,
  );
  const turnContext = trace.setSpan(parent, span);
  let ended = false;
  return {
    run: (fn) => context.with(turnContext, fn),
    end: (done) => {
      if (ended) return;
      ended = true;
      if (!done) {
        span.setAttribute('voicefleet.turn.answered', false);
        span.end();
        return;
      }
      span.setAttribute('voicefleet.turn.answered', true);
      const endOfSpeech = epochMs(done.endOfSpeechAtMs);
      let previous = 0;
      for (const [name, key, attribute] of STAGES) {
        const at = done.timings[key];
        if (at === undefined) continue;
        span.setAttribute(attribute, at);
        tracer
          .startSpan(name, { startTime: endOfSpeech + previous }, turnContext)
          .end(endOfSpeech + at);
        previous = at;
      }
      span.end(endOfSpeech + previous);
    },
  };
}
