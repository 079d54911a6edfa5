/** Loads the provider protocol (proto/voicefleet/providers/v1/providers.proto) for clients and servers. */
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

export const PROTO_PATH = fileURLToPath(
  new URL('../../../proto/voicefleet/providers/v1/providers.proto', import.meta.url),
);

export interface ProviderServices {
  SpeechToText: grpc.ServiceClientConstructor;
  TextToSpeech: grpc.ServiceClientConstructor;
  AgentBrain: grpc.ServiceClientConstructor;
}

let cached: ProviderServices | undefined;

export function loadProviderServices(): ProviderServices {
  if (cached) return cached;
  const definition = loadSync(PROTO_PATH, {
    keepCase: true,
    longs: Number,
    defaults: true,
    oneofs: true,
  });
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    voicefleet: { providers: { v1: ProviderServices } };
  };
  cached = root.voicefleet.providers.v1;
  return cached;
}

/** Messages as the loader presents them (keepCase, oneofs as a virtual field). */
export interface RecognizeRequestMsg {
  config?: { sample_rate_hz: number; language: string; call_id: string };
  audio?: Buffer;
  end_of_utterance?: boolean;
  request?: 'config' | 'audio' | 'end_of_utterance';
}
export interface RecognizeResponseMsg {
  text: string;
  final: boolean;
  confidence: number;
}
export interface SynthesizeRequestMsg {
  text: string;
  voice: string;
  sample_rate_hz: number;
  call_id: string;
}
export interface SynthesizeResponseMsg {
  audio: Buffer;
}
export interface ConversationMessageMsg {
  role: string;
  text: string;
  source: string;
}
export interface ConverseRequestMsg {
  turn?: { call_id: string; system_prompt: string; messages: ConversationMessageMsg[] };
}
export interface ConverseResponseMsg {
  text_delta?: string;
  tool?: { name: string; args_json: string };
  end_of_reply?: boolean;
  response?: 'text_delta' | 'tool' | 'end_of_reply';
}

/** gRPC status codes after which trying again may work. */
const RETRYABLE = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
  grpc.status.CANCELLED,
]);

export function isRetryableStatus(code: number | undefined): boolean {
  return code === undefined || RETRYABLE.has(code);
}

export function pcmToBuffer(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Little-endian PCM16 bytes as samples: a view of `bytes` when the platform is little-endian and
 * the bytes start on an even address (no copy, no allocation but the view), else a copy. Drops
 * a trailing odd byte.
 */
export function pcmView(bytes: Buffer): Int16Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  }
  return bufferToPcm(bytes);
}

/** Copies little-endian PCM16 bytes into samples (drops a trailing odd byte). */
export function bufferToPcm(bytes: Buffer): Int16Array {
  const out = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}
