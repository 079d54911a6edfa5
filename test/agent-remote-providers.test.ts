// The agent loop over remote providers on loopback: the OpenAI-compatible fake server (HTTP 500
// retried, a stream cut mid-reply answered with an apology) and a gRPC TTS whose server dies
// mid-reply (the local espeak-ng fallback apologises), then the call carries on.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createAgentSession } from '../media-node/src/agent/agent-session.js';
import type { AgentEvents } from '../media-node/src/agent/types.js';
import { startFakeOpenAiServer } from '../media-node/src/providers/openai/fake-openai-server.test-support.js';
import { createGrpcTts } from '../media-node/src/providers/grpc/grpc-tts.js';
import { startPacedTtsServer } from '../media-node/src/providers/grpc/servers/paced-tts-server.js';
import { createEspeakTts } from '../media-node/src/providers/local/espeak-tts.js';
import { createFixedStt } from '../media-node/src/providers/local/fixed-stt.js';
import { createOpenAiLlm } from '../media-node/src/providers/openai/openai-llm.js';
import type { TtsProvider } from '../media-node/src/providers/types.js';
import { createEnergyVad } from '../media-node/src/vad/energy-vad.js';
import { createFrameTurnDetector } from '../media-node/src/vad/frame-turn-detector.js';
import { waitFor } from '@voicefleet/devtools/processes';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

function call(llmEndpoint: string, tts: TtsProvider, transcripts: string[]) {
  let offset = 0;
  const clock = { now: () => performance.now() + offset };
  let frames = 0;
  const session = createAgentSession({
    pipeline: {},
    providers: {
      stt: createFixedStt({ transcripts }),
      llm: createOpenAiLlm({ endpoint: llmEndpoint, model: 'fake' }),
      tts,
    },
    fallbackTts: createEspeakTts(),
    sink: {
      write: () => void frames++,
      clear: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
    },
    clock,
    log: { info: () => undefined, warn: () => undefined },
    turnDetector: () => createFrameTurnDetector({ onset: createEnergyVad(), endOfTurnMs: 300 }),
  });
  const transcripts_: AgentEvents['transcript'][0][] = [];
  const errors: AgentEvents['error'][0][] = [];
  session.on('transcript', (t) => transcripts_.push(t));
  session.on('error', (e) => errors.push(e));
  session.start();
  const speech = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
  const push = (frame: Int16Array, n: number) => {
    for (let i = 0; i < n; i++) {
      offset += 20;
      session.pushAudio(frame, clock.now());
    }
  };
  return {
    session,
    transcripts: transcripts_,
    errors,
    frames: () => frames,
    say: () => {
      push(speech, 30);
      push(new Int16Array(160), 20);
    },
    waitOut: () => push(new Int16Array(160), frames * 1 + 50),
  };
}

void describe('agent over remote providers', () => {
  void it('retries an HTTP 500, apologises for a cut stream, then answers again', async () => {
    const server = await startFakeOpenAiServer({ tokenMs: 3, firstTokenMs: 10 });
    cleanups.push(() => server.close());
    const c = call(server.url, createEspeakTts(), ['hello', 'are you there', 'thanks']);
    server.failNext('http500', 1);
    c.say();
    await waitFor(() => c.transcripts.length === 2, {
      message: 'first reply',
      timeoutMs: 8000,
      intervalMs: 10,
    });
    assert.equal(c.transcripts[1]!.text, 'You said: hello. How else can I help?');
    assert.equal(c.errors.length, 1, 'the 500 was reported and retried');
    c.waitOut();

    server.failNext('disconnect', 1);
    c.say();
    await waitFor(() => c.transcripts.length === 4, {
      message: 'apology',
      timeoutMs: 8000,
      intervalMs: 10,
    });
    assert.match(c.transcripts[3]!.text, /sorry/i);
    assert.equal(c.errors.at(-1)?.stage, 'llm');
    c.waitOut();

    c.say();
    await waitFor(() => c.transcripts.length === 6, {
      message: 'third reply',
      timeoutMs: 8000,
      intervalMs: 10,
    });
    assert.equal(c.transcripts[5]!.text, 'You said: thanks. How else can I help?');
    c.session.stop();
  });

  void it('apologises with local espeak when the gRPC TTS server dies mid-reply', async () => {
    const llmServer = await startFakeOpenAiServer({ tokenMs: 1, firstTokenMs: 5 });
    cleanups.push(() => llmServer.close());
    const ttsServer = await startPacedTtsServer({ firstByteMs: 5 });
    const tts = createGrpcTts({ endpoint: `127.0.0.1:${ttsServer.port}` });
    cleanups.push(() => tts.close());
    const c = call(llmServer.url, tts, ['tell me something long']);
    c.say();
    await waitFor(() => c.frames() > 3, {
      message: 'remote audio',
      timeoutMs: 8000,
      intervalMs: 10,
    });
    await ttsServer.close();
    await waitFor(() => c.transcripts.length === 2, {
      message: 'apology',
      timeoutMs: 8000,
      intervalMs: 10,
    });
    assert.equal(c.errors.at(-1)?.stage, 'tts');
    assert.ok(c.errors.at(-1)?.retryable);
    assert.match(c.transcripts[1]!.text, /sorry/i);
    c.session.stop();
  });
});
