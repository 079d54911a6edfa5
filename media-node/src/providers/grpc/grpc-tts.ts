/** `grpc` TTS provider: `TextToSpeech.Synthesize`, audio chunks yielded as they arrive. */
import type * as grpc from '@grpc/grpc-js';
import { SAMPLE_RATE } from '../../audio/format.js';
import { AsyncQueue } from '../async-queue.js';
import { abortReason } from '../provider-error.js';
import type { TtsProvider } from '../types.js';
import { callMetadata, grpcError, makeClientPool, type GrpcClientOptions } from './grpc-client.js';
import {
  pcmView,
  loadProviderServices,
  type SynthesizeRequestMsg,
  type SynthesizeResponseMsg,
} from './proto.js';

export interface GrpcTtsOptions extends GrpcClientOptions {
  voice?: string;
}

export function createGrpcTts(options: GrpcTtsOptions): TtsProvider {
  const pool = makeClientPool(
    loadProviderServices().TextToSpeech,
    options,
    'pipeline.tts.endpoint',
  );
  type Synthesize = (
    req: SynthesizeRequestMsg,
    md: grpc.Metadata,
  ) => grpc.ClientReadableStream<SynthesizeResponseMsg>;
  const synth: Synthesize = (req, md) =>
    (pool.pick() as unknown as { Synthesize: Synthesize }).Synthesize(req, md);

  // The queue is what the caller iterates (no generator around it: one less suspension per chunk).
  function synthesize(text: string, signal: AbortSignal): AsyncIterable<Int16Array> {
    signal.throwIfAborted();
    const call = synth(
      { text, voice: options.voice ?? '', sample_rate_hz: SAMPLE_RATE, call_id: '' },
      callMetadata(options),
    );
    const onAbort = (): void => chunks.fail(abortReason(signal));
    // Runs when the caller is done with the stream, however that happened.
    const chunks = new AsyncQueue<Int16Array>(() => {
      signal.removeEventListener('abort', onAbort);
      call.cancel();
    });
    let carry: Buffer | undefined;
    call.on('data', (msg: SynthesizeResponseMsg) => {
      let bytes = carry ? Buffer.concat([carry, msg.audio]) : msg.audio;
      carry = undefined;
      if (bytes.length & 1) {
        carry = bytes.subarray(bytes.length - 1);
        bytes = bytes.subarray(0, bytes.length - 1);
      }
      if (bytes.length > 0) chunks.push(pcmView(bytes));
    });
    call.on('error', (err) =>
      chunks.fail(signal.aborted ? abortReason(signal) : grpcError('grpc-tts', err)),
    );
    call.on('end', () => chunks.end());
    signal.addEventListener('abort', onAbort, { once: true });
    return chunks;
  }

  return { name: 'grpc-tts', synthesize, close: () => Promise.resolve(pool.close()) };
}
