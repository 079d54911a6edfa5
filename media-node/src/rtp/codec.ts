// Codecs behind one small interface so the session does not care which it speaks. G.711 is here;
// G.722 and Opus fit the same shape (their own clock rate, samples per packet and payload size,
// resampling to and from the node's 8 kHz frames inside encode/decode).

import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../audio/g711.js';

/** An audio codec as RTP sees it. */
export interface Codec {
  /** Encoding name as in SDP `a=rtpmap` (PCMU, PCMA, G722, opus). */
  readonly name: string;
  /** Static payload type, or the default dynamic one. */
  readonly payloadType: number;
  /** RTP clock rate (timestamp units per second). */
  readonly clockRate: number;
  /** Timestamp units per 20 ms packet. */
  readonly samplesPerPacket: number;
  /** Largest payload in bytes of one 20 ms packet. */
  readonly maxPayloadBytes: number;
  /** Encodes one internal 20 ms frame (PCM16, 8 kHz, 160 samples); returns bytes written. */
  encode(frame: Int16Array, out: Uint8Array): number;
  /** Internal 8 kHz samples that `payload` decodes to. */
  decodedSamples(payload: Uint8Array): number;
  /** Decodes a payload into 8 kHz PCM16; returns samples written. */
  decode(payload: Uint8Array, out: Int16Array): number;
}

function g711(
  name: string,
  payloadType: number,
  encode: (pcm: Int16Array, out: Uint8Array) => number,
  decode: (codes: Uint8Array, out: Int16Array) => number,
): Codec {
  return {
    name,
    payloadType,
    clockRate: 8000,
    samplesPerPacket: 160,
    maxPayloadBytes: 160,
    encode,
    decodedSamples: (payload) => payload.length,
    decode,
  };
}

/** G.711 µ-law, static payload type 0. */
export const PCMU: Codec = g711('PCMU', 0, encodeMulaw, decodeMulaw);
/** G.711 A-law, static payload type 8. */
export const PCMA: Codec = g711('PCMA', 8, encodeAlaw, decodeAlaw);

const CODECS: readonly Codec[] = [PCMU, PCMA];

/** Codec names this build can send and receive. */
export const SUPPORTED_CODECS: readonly string[] = CODECS.map((c) => c.name);

/** The codec of an SDP encoding name (case-insensitive), or undefined when not supported. */
export function codecByName(name: string): Codec | undefined {
  return CODECS.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** A codec with a negotiated payload type (differs from the default only for dynamic types). */
export function withPayloadType(codec: Codec, payloadType: number): Codec {
  return payloadType === codec.payloadType ? codec : { ...codec, payloadType };
}
