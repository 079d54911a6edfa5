/**
 * The webhook events of a node, made from its call events (core/call-events.ts): `call.started`
 * (the INVITE reached the agent), `call.answered` (the call is confirmed and the agent speaks),
 * `turn` (what the caller said and what the agent answered, with the turn's timings),
 * `call.transferred` (the transfer's outcome and SIP status) and `call.ended` (duration, reason,
 * a per-turn latency summary, quality). Pure: the time of each event is the call event's own.
 * Phone numbers in turn texts are masked.
 */
import type { WebhookEventType } from '@voicefleet/api';
import type { CallEvent, TransferOutcome, TurnTimings } from '../core/call-events.js';
import type { CallQuality } from '../quality/call-quality.js';
import { maskPhoneNumbers } from '../lib/mask.js';

export interface LatencySummary {
  p50: number;
  p95: number;
  max: number;
}

export type WebhookData = {
  'call.started': { direction: 'inbound' | 'outbound' };
  'call.answered': { direction: 'inbound' | 'outbound'; setupMs?: number };
  turn: { index: number; caller?: string; agent?: string; timings?: TurnTimings };
  'call.transferred': {
    method: 'refer';
    target: string;
    outcome: TransferOutcome;
    sipStatus?: number;
  };
  'call.ended': {
    /** Why it ended; for an outbound call never answered: busy, no-answer, declined, cancelled or failed. */
    reason: string;
    /** An outbound call never answered: the final SIP status of its INVITE. */
    sipStatus?: number;
    durationMs: number;
    turns: { count: number; firstRtpMs?: LatencySummary };
    quality?: CallQuality;
  };
};

export type WebhookEvent = {
  [K in WebhookEventType]: { type: K; callId: string; at: string; data: WebhookData[K] };
}[WebhookEventType];

interface CallState {
  startedAt?: number;
  answeredAt?: number;
  turns: number;
  firstRtpMs: number[];
  caller?: string;
  agent?: string;
  timings?: TurnTimings;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export function latencySummary(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1]!),
  };
}

export class WebhookEventMapper {
  readonly #calls = new Map<string, CallState>();

  /** The webhook events a call event makes (none for most). */
  map(event: CallEvent): WebhookEvent[] {
    const { callId, at } = event;
    const call = this.#call(callId);
    switch (event.type) {
      case 'call.ringing':
        call.startedAt = Date.parse(at);
        return [{ type: 'call.started', callId, at, data: { direction: event.direction } }];
      case 'call.started':
        call.answeredAt = Date.parse(at);
        return [
          {
            type: 'call.answered',
            callId,
            at,
            data: {
              direction: event.direction,
              ...(event.setupMs === undefined ? {} : { setupMs: event.setupMs }),
            },
          },
        ];
      case 'transcript':
        if (event.role === 'agent') {
          call.agent = maskPhoneNumbers(event.text);
          // an answer waits for its turn's timings (they come with its first RTP packet, which
          // can leave after the text is complete); the greeting has none
          return call.caller === undefined || call.timings !== undefined
            ? [this.#turn(call, callId, at)]
            : [];
        }
        // what is pending (a caller turn the agent never answered) goes out first
        return [...this.#pendingTurn(call, callId, at), ...this.#setCaller(call, event.text)];
      case 'turn':
        call.timings = event.timings;
        if (event.timings.firstRtpMs !== undefined) call.firstRtpMs.push(event.timings.firstRtpMs);
        return call.agent === undefined ? [] : [this.#turn(call, callId, at)];
      case 'call.transferred':
        return [
          {
            type: 'call.transferred',
            callId,
            at,
            data: {
              method: event.method,
              target: event.target,
              outcome: event.outcome,
              ...(event.sipStatus === undefined ? {} : { sipStatus: event.sipStatus }),
            },
          },
        ];
      case 'call.ended': {
        const pending = this.#pendingTurn(call, callId, at);
        this.#calls.delete(callId);
        const endedAt = Date.parse(at);
        const from = call.answeredAt ?? call.startedAt ?? endedAt;
        const firstRtpMs = latencySummary(call.firstRtpMs);
        return [
          ...pending,
          {
            type: 'call.ended',
            callId,
            at,
            data: {
              reason: event.reason,
              ...(event.sipStatus === undefined ? {} : { sipStatus: event.sipStatus }),
              durationMs: Math.max(0, endedAt - from),
              turns: { count: call.turns, ...(firstRtpMs ? { firstRtpMs } : {}) },
              ...(event.quality ? { quality: event.quality } : {}),
            },
          },
        ];
      }
      default:
        return [];
    }
  }

  #call(callId: string): CallState {
    let call = this.#calls.get(callId);
    if (!call) {
      call = { turns: 0, firstRtpMs: [] };
      this.#calls.set(callId, call);
    }
    return call;
  }

  #setCaller(call: CallState, text: string): [] {
    call.caller = maskPhoneNumbers(text);
    return [];
  }

  /** A turn not sent yet (a caller the agent never answered, an answer without timings). */
  #pendingTurn(call: CallState, callId: string, at: string): WebhookEvent[] {
    if (call.caller === undefined && call.agent === undefined) return [];
    return [this.#turn(call, callId, at)];
  }

  #turn(call: CallState, callId: string, at: string): WebhookEvent {
    call.turns++;
    const data: WebhookData['turn'] = {
      index: call.turns,
      ...(call.caller === undefined ? {} : { caller: call.caller }),
      ...(call.agent === undefined ? {} : { agent: call.agent }),
      ...(call.timings === undefined ? {} : { timings: call.timings }),
    };
    delete call.caller;
    delete call.agent;
    delete call.timings;
    return { type: 'turn', callId, at, data };
  }
}
