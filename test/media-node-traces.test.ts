// One trace per call, as an SRE reads it in Jaeger: a real media node (bin/media-node) exports
// OTLP/gRPC to a real Jaeger v2 (built from source, scripts/ensure-jaeger.sh) while a caller
// interrupts the greeting, asks a question and hangs up. The node's providers are remote (gRPC
// speech-to-text and text-to-speech, an OpenAI-compatible LLM) and trace their own requests from
// the W3C trace context the node sent, so their spans must land in the same trace under the turn
// that asked. Asserted from Jaeger's query API: the span tree, its attributes, the turn's stage
// timings against what the node measured, and no phone number anywhere in the trace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@voicefleet/devtools/processes';
import { startEspeakTtsServer } from '../media-node/src/providers/grpc/servers/espeak-tts-server.js';
import { startReplaySttServer } from '../media-node/src/providers/grpc/servers/replay-stt-server.js';
import type { RunningServer } from '../media-node/src/providers/grpc/servers/serve.js';
import { startTracing, type Tracing } from '@voicefleet/api/telemetry';
import { renderPcm8k } from './audio/speech.js';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../media-node/src/providers/openai/fake-openai-server.test-support.js';
import {
  jaegerSkipReason,
  startJaeger,
  type JaegerSpan,
  type JaegerTrace,
  type RunningJaeger,
} from './harness/jaeger.js';
import {
  providerTracer,
  tracedHttpRequest,
  tracingInterceptor,
} from './harness/traced-providers.js';
import { TestCaller, loudness } from './media-node-caller.js';
import { FRONT_DESK_PIPELINE, startMediaNode, type RunningNode } from './media-node-process.js';

const NODE_SERVICE = 'voicefleet-media-node';
const PROVIDER_SERVICE = 'voicefleet-test-providers';
const QUESTION = 'what time do you open on saturday';

const tag = (span: JaegerSpan, key: string): unknown => span.tags.find((t) => t.key === key)?.value;
const parentOf = (span: JaegerSpan): string | undefined =>
  span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

describe(
  'call traces in a real Jaeger, with the providers under their turn',
  { skip: jaegerSkipReason, timeout: 240_000 },
  () => {
    let jaeger: RunningJaeger;
    let tracing: Tracing;
    let stt: RunningServer;
    let tts: RunningServer;
    let llm: FakeOpenAiServer;
    let node: RunningNode;
    let caller: TestCaller | undefined;

    before(async () => {
      jaeger = await startJaeger();
      // This process plays the provider services: their spans go to the same Jaeger.
      tracing = await startTracing(
        { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint },
        PROVIDER_SERVICE,
      );
      const interceptors = [tracingInterceptor(providerTracer())];
      stt = await startReplaySttServer({ transcripts: [QUESTION], interceptors });
      tts = await startEspeakTtsServer({ interceptors });
      llm = await startFakeOpenAiServer({ onRequest: tracedHttpRequest(providerTracer()) });
      node = await startMediaNode(
        {
          pipeline: {
            greeting: FRONT_DESK_PIPELINE.greeting,
            vad: FRONT_DESK_PIPELINE.vad,
            stt: { provider: 'grpc', endpoint: `127.0.0.1:${stt.port}` },
            tts: { provider: 'grpc', endpoint: `127.0.0.1:${tts.port}` },
            llm: { provider: 'openai', endpoint: llm.url, model: 'fake' },
          },
        },
        { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
      );
    });
    after(async () => {
      caller?.close();
      await node?.stop();
      await llm?.close();
      await tts?.close();
      await stt?.close();
      await tracing?.shutdown();
      await jaeger?.stop();
    });

    test('one trace per call: answer, barge-in, turns with their stages and providers, BYE', async () => {
      const question = await renderPcm8k(node.dir, 'question', QUESTION);
      caller = await TestCaller.create(node.sipPort);
      const answer = await caller.invite();
      assert.equal(answer.status, 200);
      caller.startMedia();
      // The caller speaks over the greeting: a barge-in, then the turn it starts.
      await waitFor(() => caller!.heard.some((p) => loudness(p) > 150), { message: 'greeting' });
      await caller.speak(question);
      const turnEvent = await waitFor(
        () => node.events.find((e) => e.type === 'turn' && e.callId === caller!.callId),
        { timeoutMs: 30_000, message: 'the turn' },
      );
      await waitFor(() => node.events.some((e) => e.type === 'barge-in'), {
        message: 'the barge-in',
      });
      await caller.stopMedia();
      assert.equal((await caller.bye()).status, 200);
      const callId = caller.callId;
      const timings = turnEvent.timings as Record<string, number>;

      // The node's spans and the providers' arrive in separate batches: wait for both.
      const trace = await waitFor(
        async () => {
          const traces = (await jaeger.traces(NODE_SERVICE)).filter((t) =>
            t.spans.some(
              (s) => s.operationName === 'call' && tag(s, 'voicefleet.call.id') === callId,
            ),
          );
          if (traces.length > 1) return traces; // reported below
          const t = traces[0];
          const services = new Set(Object.values(t?.processes ?? {}).map((p) => p.serviceName));
          const done =
            t?.spans.some((s) => s.operationName === 'bye') &&
            services.has(PROVIDER_SERVICE) &&
            t.spans.filter((s) => s.operationName.startsWith('provider ')).length >= 4;
          return done ? [t] : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, message: 'the call trace in Jaeger' },
      );
      assert.equal(trace.length, 1, 'the whole call is one trace');
      const t: JaegerTrace = trace[0]!;
      const byId = new Map(t.spans.map((s) => [s.spanID, s]));
      const named = (name: string) => t.spans.filter((s) => s.operationName === name);
      const service = (s: JaegerSpan) => t.processes[s.processID]?.serviceName;

      // The call span is the root; answer, barge-in, turns and BYE hang under it.
      const [call] = named('call');
      assert.ok(call);
      assert.equal(parentOf(call), undefined, 'the call span is the root');
      assert.equal(tag(call, 'voicefleet.call.direction'), 'inbound');
      assert.equal(tag(call, 'voicefleet.call.end_reason'), 'remote-bye');
      const processTags = Object.fromEntries(
        (t.processes[call.processID]?.tags ?? []).map((x) => [x.key, x.value]),
      );
      assert.equal(processTags['voicefleet.agent'], 'front-desk');
      assert.equal(processTags['voicefleet.namespace'], 'default');
      assert.equal(processTags['voicefleet.region'], 'local');
      for (const name of ['answer', 'barge-in', 'bye']) {
        const spans = named(name);
        assert.equal(spans.length, 1, `one ${name} span`);
        assert.equal(parentOf(spans[0]!), call.spanID, `${name} is a child of the call`);
      }
      assert.equal(tag(named('bye')[0]!, 'voicefleet.bye.from'), 'caller');
      assert.ok(named('answer')[0]!.startTime >= call.startTime, 'answer starts with the call');

      // The answered turn: stages stt -> llm -> tts -> rtp laid end to end, as the node measured.
      const turns = named('turn');
      assert.ok(
        turns.every((s) => parentOf(s) === call.spanID),
        'turns are children of the call',
      );
      const answered = turns.filter((s) => tag(s, 'voicefleet.turn.answered') === true);
      assert.equal(answered.length, 1, 'one answered turn');
      const turn = answered[0]!;
      const stages = t.spans
        .filter((s) => parentOf(s) === turn.spanID && service(s) === NODE_SERVICE)
        .sort((a, b) => a.startTime - b.startTime);
      assert.deepEqual(
        stages.map((s) => s.operationName),
        ['stt', 'llm', 'tts', 'rtp'],
      );
      for (let i = 1; i < stages.length; i++) {
        const prev = stages[i - 1]!;
        assert.ok(
          Math.abs(stages[i]!.startTime - (prev.startTime + prev.duration)) <= 2,
          `${stages[i]!.operationName} starts where ${prev.operationName} ends`,
        );
      }
      const endOfSpeechUs = stages[0]!.startTime;
      const rtp = stages[3]!;
      const firstRtpUs = rtp.startTime + rtp.duration - endOfSpeechUs;
      assert.ok(
        Math.abs(firstRtpUs / 1000 - timings.firstRtpMs!) <= 2,
        `first RTP at ${firstRtpUs / 1000} ms in the trace, ${timings.firstRtpMs} ms measured`,
      );
      assert.equal(tag(turn, 'voicefleet.turn.first_rtp_ms'), timings.firstRtpMs);
      assert.ok(turn.startTime <= endOfSpeechUs, 'the turn opens at the caller speech onset');

      // The providers' spans sit under the turn that asked (speech-to-text, LLM, TTS); the
      // greeting's synthesis under the call.
      const providers = t.spans.filter((s) => service(s) === PROVIDER_SERVICE);
      const under = (parent: JaegerSpan) =>
        providers.filter((s) => parentOf(s) === parent.spanID).map((s) => s.operationName);
      const turnProviders = under(turn);
      assert.ok(
        turnProviders.includes('provider /voicefleet.providers.v1.SpeechToText/Recognize'),
        `speech-to-text under the turn: ${turnProviders.join(', ')}`,
      );
      assert.ok(
        turnProviders.includes('provider POST /v1/chat/completions'),
        'the LLM under the turn',
      );
      assert.ok(
        turnProviders.includes('provider /voicefleet.providers.v1.TextToSpeech/Synthesize'),
        'TTS under the turn',
      );
      assert.ok(
        under(call).includes('provider /voicefleet.providers.v1.TextToSpeech/Synthesize'),
        'the greeting synthesis under the call',
      );
      for (const s of providers)
        assert.ok(byId.has(parentOf(s) ?? ''), `${s.operationName} has its parent in the trace`);

      // No phone number (caller, callee, transfer target) anywhere in what the SRE reads.
      const text = JSON.stringify(t);
      for (const number of ['14155550123', '14155550100', '14155550199'])
        assert.ok(!text.includes(number), `no ${number} in the trace`);
      assert.ok(!text.toLowerCase().includes('saturday'), 'no transcript in the trace');
    });
  },
);
