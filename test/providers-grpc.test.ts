// gRPC provider clients against the reference servers over real loopback gRPC (in this process,
// to keep the suite lean); a server running as its own process and killed mid-stream surfaces a
// retryable error.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { createGrpcLlm } from '../media-node/src/providers/grpc/grpc-llm.js';
import { createGrpcStt } from '../media-node/src/providers/grpc/grpc-stt.js';
import { createGrpcTts } from '../media-node/src/providers/grpc/grpc-tts.js';
import { startEspeakTtsServer } from '../media-node/src/providers/grpc/servers/espeak-tts-server.js';
import { startPacedTtsServer } from '../media-node/src/providers/grpc/servers/paced-tts-server.js';
import { startScriptedBrainServer } from '../media-node/src/providers/grpc/servers/scripted-brain-server.js';
import { serve, type RunningServer } from '../media-node/src/providers/grpc/servers/serve.js';
import {
  bufferToPcm,
  loadProviderServices,
  type RecognizeRequestMsg,
  type RecognizeResponseMsg,
} from '../media-node/src/providers/grpc/proto.js';
import type * as grpc from '@grpc/grpc-js';
import { ProviderError } from '../media-node/src/providers/provider-error.js';
import type { ConversationMessage, LlmEvent } from '../media-node/src/providers/types.js';

/** A full garbage collection, to read what memory is still referenced. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const SERVERS = new URL('../media-node/src/providers/grpc/servers/', import.meta.url).pathname;
const children: ChildProcess[] = [];
const servers: RunningServer[] = [];

async function inProcess(start: Promise<RunningServer>): Promise<{ endpoint: string }> {
  const server = await start;
  servers.push(server);
  return { endpoint: `127.0.0.1:${server.port}` };
}

async function startServer(
  file: string,
  ...args: string[]
): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SERVERS + file, '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [line] = (await once(lines, 'line')) as [string];
  clearTimeout(timer);
  const { port } = JSON.parse(line) as { port: number };
  return { endpoint: `127.0.0.1:${port}`, child };
}

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
});

async function synthesize(tts: ReturnType<typeof createGrpcTts>, text: string) {
  const start = performance.now();
  let firstMs = -1;
  let samples = 0;
  for await (const chunk of tts.synthesize(text, new AbortController().signal)) {
    if (firstMs < 0) firstMs = performance.now() - start;
    samples += chunk.length;
  }
  return { firstMs, samples, totalMs: performance.now() - start };
}

void describe('gRPC providers', () => {
  void it('STT: the replay server answers each utterance with the next transcript', async () => {
    const { endpoint } = await startServer(
      'replay-stt-server.ts',
      '--transcripts',
      'what time do you open|goodbye',
    );
    const stt = createGrpcStt({ endpoint, apiKey: 'secret' });
    for (const expected of ['what time do you open', 'goodbye']) {
      const stream = stt.stream(new AbortController().signal);
      for (let i = 0; i < 25; i++) stream.write(new Int16Array(160).fill(100));
      stream.end();
      const finals: string[] = [];
      for await (const r of stream.results) if (r.final) finals.push(r.text);
      assert.deepEqual(finals, [expected]);
    }
    await stt.close();
  });

  void it('STT: audio goes out in 100 ms messages, the remainder before end of utterance', async () => {
    const messages: Int16Array[] = [];
    const { SpeechToText } = loadProviderServices();
    const { endpoint } = await inProcess(
      serve((server) =>
        server.addService(SpeechToText.service, {
          Recognize(call: grpc.ServerDuplexStream<RecognizeRequestMsg, RecognizeResponseMsg>) {
            call.on('data', (msg: RecognizeRequestMsg) => {
              if (msg.request === 'audio' && msg.audio) messages.push(bufferToPcm(msg.audio));
              if (msg.request === 'end_of_utterance') {
                call.write({ text: `${messages.length}`, final: true, confidence: 1 });
                call.end();
              }
            });
            call.on('error', () => undefined);
          },
        }),
      ),
    );
    const stt = createGrpcStt({ endpoint });
    const stream = stt.stream(new AbortController().signal);
    const frames = Array.from({ length: 23 }, (_, n) => new Int16Array(160).fill(n * 10));
    for (const f of frames) stream.write(f);
    stream.end();
    const finals: string[] = [];
    for await (const r of stream.results) if (r.final) finals.push(r.text);
    await stt.close();
    assert.deepEqual(
      messages.map((m) => m.length),
      [800, 800, 800, 800, 480],
      'four full 100 ms chunks, then the 60 ms left',
    );
    const heard = Int16Array.from(messages.flatMap((m) => [...m]));
    const sent = Int16Array.from(frames.flatMap((f) => [...f]));
    assert.deepEqual(heard, sent, 'every sample arrives once, in order');
    assert.deepEqual(finals, ['5']);
  });

  void it('STT: audio already sent is not kept while the server has not answered', async () => {
    // The replay server reads the whole utterance before it says anything (no response headers
    // until the end), as many recognisers do. It runs in its own process so that only the
    // client's memory is measured here.
    const { endpoint } = await startServer('replay-stt-server.ts', '--transcripts', 'done');
    const stt = createGrpcStt({ endpoint });
    const warm = stt.stream(new AbortController().signal);
    warm.write(new Int16Array(160));
    warm.end();
    for await (const r of warm.results) void r;
    const streams = Array.from({ length: 4 }, () => stt.stream(new AbortController().signal));
    const frame = new Int16Array(160).fill(1000);
    const utteranceBytes = 500 * frame.byteLength; // 10 s of audio per stream
    collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 500; i++) for (const s of streams) s.write(frame);
    // Kept for a retry, the four utterances would hold 625 KB of audio, plus the buffer-pool
    // slabs their serialised messages sit in, until the server answers. Sent and not kept, the
    // memory goes once HTTP/2 has written it.
    let kept = Infinity;
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      collectGarbage();
      kept = process.memoryUsage().arrayBuffers - before;
      if (kept < utteranceBytes / 2) break;
    }
    assert.ok(
      kept < utteranceBytes / 2,
      `${Math.round(kept / 1024)} KB of sent audio still held 5 s later (one utterance is ${utteranceBytes / 1024} KB)`,
    );
    for (const s of streams) {
      s.end();
      const finals: string[] = [];
      for await (const r of s.results) if (r.final) finals.push(r.text);
      assert.deepEqual(finals, ['done'], 'the stream still completes');
    }
    await stt.close();
  });

  void it('TTS: the paced server streams at real-time pace after its first-byte delay', async () => {
    const { endpoint } = await inProcess(startPacedTtsServer({ firstByteMs: 80 }));
    const tts = createGrpcTts({ endpoint });
    const r = await synthesize(tts, 'Five words of text here'); // 23 chars -> 1380 ms of audio
    assert.equal(r.samples, 23 * 60 * 8);
    assert.ok(r.firstMs >= 75, `first audio after ${r.firstMs} ms`);
    assert.ok(r.totalMs >= 1100, `paced: ${r.totalMs} ms for 1380 ms of audio`);
    await tts.close();
  });

  void it('TTS: cancelling thousands of streams (barge-ins, hang-ups) keeps the provider reachable', async () => {
    // Node's HTTP/2 server, like others, closes a connection that resets streams faster than a
    // burst of 1000 and 33 a second; every stream on it then fails at once.
    const { endpoint } = await startServer('paced-tts-server.ts', '--first-byte-ms', '0');
    const tts = createGrpcTts({ endpoint });
    const failures: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const ac = new AbortController();
      const stream = tts.synthesize('an interrupted reply', ac.signal)[Symbol.asyncIterator]();
      try {
        await stream.next(); // audio is flowing: the caller barges in
      } catch (error) {
        failures.push(`stream ${i}: ${(error as Error).message}`);
      }
      ac.abort();
      await stream.next().catch(() => undefined);
    }
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of 1500 streams failed`);
    const after = await synthesize(tts, 'still here');
    assert.equal(after.samples, 10 * 60 * 8, 'a reply after the cancels plays in full');
    await tts.close();
  });

  void it('TTS: the espeak server renders speech', async () => {
    const { endpoint } = await inProcess(startEspeakTtsServer());
    const tts = createGrpcTts({ endpoint, voice: 'en-us' });
    const r = await synthesize(tts, 'Thanks for calling.');
    assert.ok(r.samples > 8000 * 0.6, `${r.samples} samples of speech`);
    await tts.close();
  });

  void it('brain: the scripted brain runs the booking flow and asks to hang up', async () => {
    const { endpoint } = await inProcess(startScriptedBrainServer());
    const llm = createGrpcLlm({ endpoint });
    const messages: ConversationMessage[] = [];
    const turn = async (text: string) => {
      messages.push({ role: 'caller', text });
      const events: LlmEvent[] = [];
      for await (const ev of llm.respond({ messages }, new AbortController().signal))
        events.push(ev);
      const reply = events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
      messages.push({ role: 'agent', text: reply });
      return { reply, events };
    };
    assert.equal(
      (await turn('i would like to book an appointment')).reply,
      'Sure. Which day would you like?',
    );
    assert.equal((await turn('friday')).reply, 'And what time on friday?');
    const bye = await turn('goodbye');
    assert.deepEqual(bye.events.at(-1), { type: 'tool', name: 'hangup', args: {} });
    await llm.close();
  });

  void it('a TTS server killed mid-stream surfaces a retryable error', async () => {
    const { endpoint, child } = await startServer('paced-tts-server.ts', '--first-byte-ms', '10');
    const tts = createGrpcTts({ endpoint });
    let chunks = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of tts.synthesize(
          'a long reply '.repeat(20),
          new AbortController().signal,
        )) {
          if (++chunks === 3) child.kill('SIGKILL');
        }
      })(),
      (e: unknown) => e instanceof ProviderError && e.retryable && e.provider === 'grpc-tts',
    );
    assert.ok(chunks >= 3 && chunks < 100, `${chunks} chunks before the failure`);
    await tts.close();
  });

  void it('rejects an endpoint that is not host:port', () => {
    assert.throws(() => createGrpcTts({ endpoint: 'http://x' }), /pipeline\.tts\.endpoint/);
  });
});
