/**
 * Reference TTS server backed by espeak-ng: streams 8 kHz audio as espeak renders it.
 * Run: node --import tsx espeak-tts-server.ts --port 0 --voice en-us
 */
import type * as grpc from '@grpc/grpc-js';
import { createEspeakTts } from '../../local/espeak-tts.js';
import {
  pcmToBuffer,
  loadProviderServices,
  type SynthesizeRequestMsg,
  type SynthesizeResponseMsg,
} from '../proto.js';
import { isMain, runAsProcess, serve, type RunningServer, type ServeOptions } from './serve.js';

export function startEspeakTtsServer(
  options: { voice?: string } & Pick<ServeOptions, 'port' | 'interceptors'> = {},
): Promise<RunningServer> {
  const { TextToSpeech } = loadProviderServices();
  return serve(
    (server) =>
      server.addService(TextToSpeech.service, {
        Synthesize(call: grpc.ServerWritableStream<SynthesizeRequestMsg, SynthesizeResponseMsg>) {
          const voice = call.request.voice || options.voice || 'en-us';
          const ac = new AbortController();
          call.on('cancelled', () => ac.abort());
          void (async () => {
            const tts = createEspeakTts({ voice });
            for await (const chunk of tts.synthesize(call.request.text, ac.signal))
              call.write({ audio: pcmToBuffer(chunk) });
            call.end();
          })().catch(() => {
            if (!ac.signal.aborted) call.destroy(new Error('synthesis failed'));
          });
        },
      }),
    options,
  );
}

if (isMain(import.meta.url)) {
  runAsProcess({ voice: { type: 'string' } }, (v) =>
    startEspeakTtsServer({ ...(v.voice ? { voice: v.voice } : {}), port: Number(v.port ?? 0) }),
  );
}
