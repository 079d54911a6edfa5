/**
 * Call events that leave the node on `GET /events` as newline-delimited JSON (the local-fleet CLI
 * and the tests read them). Transcripts are user content: they appear here, never in log messages.
 */
import { TypedEmitter } from '../lib/typed-emitter.js';

import type { TurnTimings } from '../agent/types.js';
import type { CallQuality } from '../quality/call-quality.js';

export type { TurnTimings };

/** How a transfer ended: the far end's NOTIFY (sipfrag) or its answer to our REFER. */
export type TransferOutcome = 'completed' | 'rejected' | 'failed' | 'timeout';

export type CallEvent =
  /** The call reached the agent: an INVITE admitted (180 sent), or an outbound call answered. */
  | { type: 'call.ringing'; callId: string; direction: 'inbound' | 'outbound'; at: string }
  | {
      type: 'call.started';
      callId: string;
      direction: 'inbound' | 'outbound';
      /** Node-side setup: INVITE received (or sent) -> 200 sent (or received), ms. */
      setupMs?: number;
      at: string;
    }
  | { type: 'transcript'; callId: string; role: 'caller' | 'agent'; text: string; at: string }
  | { type: 'turn'; callId: string; timings: TurnTimings; at: string }
  | { type: 'dtmf'; callId: string; digit: string; at: string }
  | { type: 'barge-in'; callId: string; stopLatencyMs?: number; at: string }
  /** Caller speech paused the agent but was too short to interrupt it; it went on after `pausedMs`. */
  | { type: 'barge-in.resumed'; callId: string; pausedMs: number; at: string }
  | { type: 'hold'; callId: string; held: boolean; at: string }
  | { type: 'action'; callId: string; action: 'hangup' | 'transfer'; at: string }
  | { type: 'provider.error'; callId: string; provider: string; at: string }
  | {
      type: 'call.transferred';
      callId: string;
      method: 'refer';
      /** The target with all but its last four characters masked (it may be a phone number). */
      target: string;
      outcome: TransferOutcome;
      /** The SIP status that decided it: the REFER's answer, or the final one in the NOTIFY. */
      sipStatus?: number;
      at: string;
    }
  | {
      type: 'call.ended';
      callId: string;
      reason: string;
      /** An outbound call that was not answered: the INVITE's final SIP status. */
      sipStatus?: number;
      /** What the caller heard: absent when no RTP came in. */
      quality?: CallQuality;
      at: string;
    };

type Distribute<T> = T extends { at: string } ? Omit<T, 'at'> : never;
export type CallEventInput = Distribute<CallEvent>;

/** Keeps the last few events so a reader that connects right after a call started still sees it. */
const BACKLOG = 200;

export class CallEventBus extends TypedEmitter<{ event: [CallEvent] }> {
  readonly #backlog: CallEvent[] = [];
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    super();
    this.#now = now;
  }

  publish(input: CallEventInput): void {
    const event = { ...input, at: this.#now().toISOString() };
    this.#backlog.push(event);
    if (this.#backlog.length > BACKLOG) this.#backlog.shift();
    this.emit('event', event);
  }

  /** Recent events, oldest first. */
  recent(): readonly CallEvent[] {
    return this.#backlog;
  }
}
