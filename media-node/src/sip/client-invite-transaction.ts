// INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's Accepted state).
// Calling: Timer A retransmits (UDP), Timer B gives up. A non-2xx final is ACKed here (and again
// for each retransmission during Timer D). 2xx responses go to the TU, which ACKs them; Timer M
// keeps passing retransmitted 2xx to the TU.
import type { ValidResponse } from './message.js';
import { TimerSet, type TransactionContext } from './transaction-context.js';

export type ClientInviteState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientInviteHandlers {
  onResponse: (res: ValidResponse) => void;
  onTimeout: () => void;
  /** The transport failed; defaults to onTimeout. */
  onTransportError?: () => void;
  /** Builds the ACK for a non-2xx final response (same branch, RFC 3261 §17.1.1.3). */
  ackFor: (res: ValidResponse) => Buffer;
}

export class ClientInviteTransaction {
  state: ClientInviteState = 'calling';
  #ack: Buffer | undefined;
  readonly #request: Buffer;
  readonly #ctx: TransactionContext;
  readonly #handlers: ClientInviteHandlers;
  readonly #timers: TimerSet;

  constructor(ctx: TransactionContext, request: Buffer, handlers: ClientInviteHandlers) {
    this.#ctx = ctx;
    this.#request = request;
    this.#handlers = handlers;
    this.#timers = new TimerSet(ctx.timers);
    ctx.onTransportError = () => this.#transportError();
  }

  /** The request could not be sent (TCP connect failed): end now, reported like a timeout. */
  #transportError(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.#terminate();
    (this.#handlers.onTransportError ?? this.#handlers.onTimeout)();
  }

  start(): void {
    const { t1 } = this.#ctx.values;
    this.#ctx.send(this.#request);
    if (!this.#ctx.reliable) this.#retransmit(t1);
    this.#timers.start('B', 64 * t1, () => {
      if (this.state !== 'calling') return;
      this.#terminate();
      this.#handlers.onTimeout();
    });
  }

  #retransmit(interval: number): void {
    this.#timers.start('A', interval, () => {
      if (this.state !== 'calling') return;
      this.#ctx.onRetransmit?.();
      this.#ctx.send(this.#request);
      this.#retransmit(interval * 2);
    });
  }

  receiveResponse(res: ValidResponse): void {
    const { status } = res;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          this.state = 'proceeding';
          this.#timers.cancel('A');
          this.#handlers.onResponse(res);
        } else if (status < 300) {
          this.state = 'accepted';
          this.#timers.cancelAll();
          this.#timers.start('M', 64 * this.#ctx.values.t1, () => this.#terminate());
          this.#handlers.onResponse(res);
        } else {
          this.state = 'completed';
          this.#timers.cancelAll();
          this.#ack = this.#handlers.ackFor(res);
          this.#ctx.send(this.#ack);
          const wait = this.#ctx.reliable ? 0 : 32_000;
          this.#timers.start('D', wait, () => this.#terminate());
          this.#handlers.onResponse(res);
        }
        return;
      case 'completed':
        if (status >= 300 && this.#ack) this.#ctx.send(this.#ack);
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.#handlers.onResponse(res);
        return;
      case 'terminated':
        return;
    }
  }

  /** No final response yet. */
  get inProgress(): boolean {
    return this.state === 'calling' || this.state === 'proceeding';
  }

  terminate(): void {
    this.#terminate();
  }

  #terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.#timers.cancelAll();
    this.#ctx.onTerminated();
  }
}
