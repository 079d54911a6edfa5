/**
 * What an application sees of the calls it placed: each outbound call from the moment it was
 * asked for (`dialing`) through the far end's progress (`ringing`) to its answer and its end, with
 * the final SIP status and what it means (busy, no answer, declined, failed) when it was never
 * answered. Bounded: the newest MAX_ENDED ended calls are kept, for RETAIN_MS at most.
 */

export type OutboundCallState = 'dialing' | 'ringing' | 'answered' | 'ended';

/** How an outbound call ended, as an application acts on it. */
export type OutboundCallResult =
  /** Answered, and ended later (see `endReason` for who hung up). */
  | 'completed'
  | 'busy'
  /** Rang out: the far end's 408/480, or our `timeoutSeconds` ran out first. */
  | 'no-answer'
  | 'declined'
  /** Cancelled by the application before the answer. */
  | 'cancelled'
  /** Any other final failure: the number does not exist, no route, a server error. */
  | 'failed';

export interface OutboundCallView {
  callId: string;
  state: OutboundCallState;
  createdAt: string;
  ringingAt?: string;
  answeredAt?: string;
  endedAt?: string;
  result?: OutboundCallResult;
  /** The final SIP status of the INVITE when it was not answered. */
  sipStatus?: number;
  /** Why an answered call ended (the call.ended event's reason), or what failed before it. */
  endReason?: string;
}

/** Ended calls kept for `GET /calls/{id}`, newest first out of the window. */
export const MAX_ENDED = 1000;
export const RETAIN_MS = 15 * 60_000;

/** What a final SIP status says about an outbound call that was not answered. */
export function resultOfStatus(status: number): Exclude<OutboundCallResult, 'completed'> {
  if (status === 486 || status === 600) return 'busy';
  if (status === 408 || status === 480) return 'no-answer';
  if (status === 603 || status === 403) return 'declined';
  if (status === 487) return 'cancelled';
  return 'failed';
}

export class OutboundCalls {
  readonly #calls = new Map<string, OutboundCallView>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  get(callId: string): OutboundCallView | undefined {
    this.#expire();
    const view = this.#calls.get(callId);
    return view && { ...view };
  }

  dialing(callId: string): void {
    this.#expire();
    this.#calls.set(callId, { callId, state: 'dialing', createdAt: this.#stamp() });
  }

  ringing(callId: string): void {
    const view = this.#calls.get(callId);
    if (view?.state !== 'dialing') return;
    view.state = 'ringing';
    view.ringingAt = this.#stamp();
  }

  answered(callId: string): void {
    const view = this.#calls.get(callId);
    if (view === undefined || view.state === 'ended') return;
    view.state = 'answered';
    view.answeredAt = this.#stamp();
  }

  /** The call ended: after its answer (`completed`), or before it with a result of its own. */
  ended(
    callId: string,
    end:
      | { result: 'completed'; endReason: string }
      | {
          result: Exclude<OutboundCallResult, 'completed'>;
          sipStatus?: number;
          endReason?: string;
        },
  ): void {
    const view = this.#calls.get(callId);
    if (view === undefined || view.state === 'ended') return;
    view.state = 'ended';
    view.endedAt = this.#stamp();
    view.result = end.result;
    if ('sipStatus' in end && end.sipStatus !== undefined) view.sipStatus = end.sipStatus;
    if (end.endReason !== undefined) view.endReason = end.endReason;
    // re-insert: the map's order is then the order calls ended in, oldest first
    this.#calls.delete(callId);
    this.#calls.set(callId, view);
  }

  #stamp(): string {
    return this.#now().toISOString();
  }

  /** Drops ended calls past RETAIN_MS, and the oldest ended ones beyond MAX_ENDED. */
  #expire(): void {
    const cutoff = this.#now().getTime() - RETAIN_MS;
    const ended = [...this.#calls.values()].filter((v) => v.state === 'ended');
    const excess = ended.length - MAX_ENDED;
    ended.forEach((view, i) => {
      if (i < excess || Date.parse(view.endedAt ?? '') < cutoff) this.#calls.delete(view.callId);
    });
  }
}
