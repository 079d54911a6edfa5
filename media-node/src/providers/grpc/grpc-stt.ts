/**
 * `grpc` STT provider: one `SpeechToText.Recognize` stream per caller utterance. Audio goes out in
 * 100 ms messages (five 20 ms frames each): a message per frame was about a quarter of what the
 * node allocated under load. Batching delays no final result: the turn ends on the node's VAD, and
 * end() sends the partial chunk before end_of_utterance.
 */
import type * as grpc from '@grpc/grpc-js';
import { FRAME_SAMPLES, SAMPLE_RATE } from '../../audio/format.js';
import { AsyncQueue } from '../async-queue.js';
import type { SttProvider, SttResult, SttStream } from '../types.js';
import { callMetadata, grpcError, makeClientPool, type GrpcClientOptions } from './grpc-client.js';
import {
  loadProviderServices,
  pcmToBuffer,
  type RecognizeRequestMsg,
  type RecognizeResponseMsg,
} from './proto.js';

export interface GrpcSttOptions extends GrpcClientOptions {
  language?: string;
}

type RecognizeCall = grpc.ClientDuplexStream<RecognizeRequestMsg, RecognizeResponseMsg>;

/** Frames per audio message. */
const STT_CHUNK_FRAMES = 5;

export function createGrpcStt(options: GrpcSttOptions): SttProvider {
  const pool = makeClientPool(
    loadProviderServices().SpeechToText,
    options,
    'pipeline.stt.endpoint',
  );
  const recognize = (md: grpc.Metadata): RecognizeCall =>
    (pool.pick() as unknown as { Recognize(md: grpc.Metadata): RecognizeCall }).Recognize(md);
  return {
    name: 'grpc-stt',
    stream(signal: AbortSignal): SttStream {
      const results = new AsyncQueue<SttResult>();
      const call = recognize(callMetadata(options));
      let open = true;
      call.on('data', (msg: RecognizeResponseMsg) =>
        results.push({
          text: msg.text,
          final: msg.final,
          ...(msg.confidence ? { confidence: msg.confidence } : {}),
        }),
      );
      call.on('error', (err) =>
        signal.aborted ? results.end() : results.fail(grpcError('grpc-stt', err)),
      );
      call.on('end', () => results.end());
      signal.addEventListener('abort', () => call.cancel(), { once: true });
      call.write({
        config: { sample_rate_hz: SAMPLE_RATE, language: options.language ?? '', call_id: '' },
      });
      let chunk = new Int16Array(FRAME_SAMPLES * STT_CHUNK_FRAMES);
      let filled = 0;
      const flush = (): void => {
        if (filled === 0) return;
        call.write({ audio: pcmToBuffer(chunk.subarray(0, filled)) });
        chunk = new Int16Array(chunk.length); // the message holds the old one until it is sent
        filled = 0;
      };
      return {
        write(frame) {
          if (!open || signal.aborted) return;
          for (let at = 0; at < frame.length;) {
            const n = Math.min(frame.length - at, chunk.length - filled);
            chunk.set(frame.subarray(at, at + n), filled);
            filled += n;
            at += n;
            if (filled === chunk.length) flush();
          }
        },
        end() {
          if (!open || signal.aborted) return;
          open = false;
          flush();
          call.write({ end_of_utterance: true });
          call.end();
        },
        results,
      };
    },
    close: () => Promise.resolve(pool.close()),
  };
}
