/** `grpc` STT provider: one `SpeechToText.Recognize` stream per caller utterance. */
import type * as grpc from '@grpc/grpc-js';
import { SAMPLE_RATE } from '../../audio/format.js';
import { AsyncQueue } from '../async-queue.js';
import type { SttProvider, SttResult, SttStream } from '../types.js';
import { callMetadata, grpcError, makeClient, type GrpcClientOptions } from './grpc-client.js';
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

export function createGrpcStt(options: GrpcSttOptions): SttProvider {
  const client = makeClient(loadProviderServices().SpeechToText, options, 'pipeline.stt.endpoint');
  const recognize = (
    client as unknown as { Recognize(md: grpc.Metadata): RecognizeCall }
  ).Recognize.bind(client);
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
      return {
        write(frame) {
          if (open && !signal.aborted) call.write({ audio: pcmToBuffer(frame) });
        },
        end() {
          if (!open || signal.aborted) return;
          open = false;
          call.write({ end_of_utterance: true });
          call.end();
        },
        results,
      };
    },
    close: () => Promise.resolve(client.close()),
  };
}
