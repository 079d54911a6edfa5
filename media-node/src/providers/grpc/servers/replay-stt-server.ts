/**
 * Reference STT server: answers each utterance (a Recognize stream) with the next of a list of
 * scripted transcripts when the client signals end of utterance. Counts the audio it received.
 * Run: node --import tsx replay-stt-server.ts --port 0 --transcripts "hello|goodbye"
 */
import type * as grpc from '@grpc/grpc-js';
import {
  loadProviderServices,
  type RecognizeRequestMsg,
  type RecognizeResponseMsg,
} from '../proto.js';
import { isMain, runAsProcess, serve, type RunningServer, type ServeOptions } from './serve.js';

export interface ReplaySttOptions extends Pick<ServeOptions, 'port' | 'interceptors'> {
  transcripts: readonly string[];
  /** Delay between end of utterance and the final result. */
  finalDelayMs?: number;
}

export function startReplaySttServer(options: ReplaySttOptions): Promise<RunningServer> {
  let next = 0;
  const { SpeechToText } = loadProviderServices();
  return serve(
    (server) =>
      server.addService(SpeechToText.service, {
        Recognize(call: grpc.ServerDuplexStream<RecognizeRequestMsg, RecognizeResponseMsg>) {
          let bytes = 0;
          let answered = false;
          const answer = (): void => {
            if (answered) return;
            answered = true;
            const text =
              bytes > 0
                ? (options.transcripts[next++ % Math.max(1, options.transcripts.length)] ?? '')
                : '';
            setTimeout(() => {
              if (call.cancelled) return;
              call.write({ text, final: true, confidence: 0.9 });
              call.end();
            }, options.finalDelayMs ?? 20);
          };
          call.on('data', (msg: RecognizeRequestMsg) => {
            if (msg.request === 'audio' && msg.audio) bytes += msg.audio.length;
            if (msg.request === 'end_of_utterance') answer();
          });
          call.on('end', answer);
          call.on('error', () => undefined);
        },
      }),
    options,
  );
}

if (isMain(import.meta.url)) {
  runAsProcess({ transcripts: { type: 'string' } }, (v) =>
    startReplaySttServer({
      transcripts: (v.transcripts ?? '').split('|'),
      port: Number(v.port ?? 0),
    }),
  );
}
