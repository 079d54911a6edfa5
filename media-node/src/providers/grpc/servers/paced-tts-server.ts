/**
 * Reference TTS server: streams pre-rendered audio at real-time pace (20 ms per 20 ms frame)
 * after a configurable first-byte delay, like a cloud TTS. The audio is a tone sized to the text
 * (60 ms per character) unless a clip is given.
 * Run: node --import tsx paced-tts-server.ts --port 0 --first-byte-ms 80
 */
import type * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  pcmToBuffer,
  loadProviderServices,
  type SynthesizeRequestMsg,
  type SynthesizeResponseMsg,
} from '../proto.js';
import { isMain, runAsProcess, serve, type RunningServer } from './serve.js';

export interface PacedTtsOptions {
  firstByteMs?: number;
  /** 8 kHz clip to stream for every request. */
  clip?: Int16Array;
  port?: number;
}

function toneFor(text: string): Int16Array {
  const out = new Int16Array(Math.max(1, text.length) * 60 * 8);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(5000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return out;
}

export function startPacedTtsServer(options: PacedTtsOptions = {}): Promise<RunningServer> {
  const { TextToSpeech } = loadProviderServices();
  return serve(
    (server) =>
      server.addService(TextToSpeech.service, {
        Synthesize(call: grpc.ServerWritableStream<SynthesizeRequestMsg, SynthesizeResponseMsg>) {
          const audio = options.clip ?? toneFor(call.request.text);
          void (async () => {
            await sleep(options.firstByteMs ?? 50);
            const start = performance.now();
            for (let i = 0, n = 0; i < audio.length && !call.cancelled; i += 160, n++) {
              call.write({ audio: pcmToBuffer(audio.subarray(i, i + 160)) });
              const wait = start + (n + 1) * 20 - performance.now();
              if (wait > 0) await sleep(wait);
            }
            if (!call.cancelled) call.end();
          })().catch(() => call.destroy());
        },
      }),
    options.port === undefined ? {} : { port: options.port },
  );
}

if (isMain(import.meta.url)) {
  runAsProcess({ 'first-byte-ms': { type: 'string' } }, (v) =>
    startPacedTtsServer({
      firstByteMs: Number(v['first-byte-ms'] ?? 50),
      port: Number(v.port ?? 0),
    }),
  );
}
