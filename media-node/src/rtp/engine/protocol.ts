// Messages between the node's main thread and the RTP engine's worker. Audio never travels as a
// message: it goes through each session's shared rings (session-memory.ts). Messages carry what
// is rare: opening and closing sessions, renegotiation, DTMF, and events back.

import type { DtmfDigit } from '../dtmf.js';
import type { JitterBufferOptions } from '../jitter-buffer.js';
import type { MediaDirection, RemoteAddress } from '../session.js';

/** A codec by name and negotiated payload type (Codec objects hold functions). */
export interface WireCodec {
  name: string;
  payloadType: number;
}

/** What the worker needs to open a session (RtpSessionOptions without the process-local parts). */
export interface WireSessionOptions {
  codec: WireCodec;
  telephoneEventPayloadType?: number;
  host: string;
  portRange: { min: number; max: number };
  remote?: RemoteAddress;
  symmetric?: boolean;
  silence?: 'suppress' | 'send';
  mediaTimeoutMs?: number;
  jitter?: JitterBufferOptions;
  rtcpIntervalMs?: number;
}

/** Shared memory handed to the worker when it starts. */
export interface EngineWorkerData {
  /** Int32 [0]: bumped and notified after every scheduler run that delivered caller audio. */
  signal: SharedArrayBuffer;
  /** The scheduler's DeviationHistogram. */
  histogram: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'open'; id: number; memory: SharedArrayBuffer; options: WireSessionOptions }
  | { type: 'close'; id: number }
  | { type: 'direction'; id: number; direction: MediaDirection }
  | { type: 'remote'; id: number; remote: RemoteAddress }
  | { type: 'codec'; id: number; codec: WireCodec; telephoneEventPayloadType?: number }
  | { type: 'dtmf'; id: number; digit: string; durationMs: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'opened'; id: number; port: number; address: string; ssrc: number }
  | { type: 'openFailed'; id: number; message: string; portsExhausted: boolean }
  /** The frame carrying `mark` left as RTP at `atEpochMs` (performance.timeOrigin + now). */
  | { type: 'sent'; id: number; mark: number; atEpochMs: number }
  /** Marked frames a barge-in dropped before they were sent. */
  | { type: 'dropped'; id: number; marks: number[] }
  | { type: 'dtmf'; id: number; digit: DtmfDigit }
  | { type: 'timeout'; id: number }
  | { type: 'latched'; id: number; remote: RemoteAddress }
  | { type: 'socketError'; id: number; message: string };
