// Non-INVITE client transaction (RFC 3261 §17.1.2): Timer E retransmits (UDP, doubling to T2),
// Timer F gives up, Timer K absorbs response retransmissions after the final one.
import type { ValidResponse } from './message.js';
import { TimerSet, type TransactionContext } from './transaction-context.js';

export type ClientNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ClientNonInviteHandlers {
  onResponse: (res: ValidResponse) => void;
  onTimeout: () => void;
  /** The transport failed; defaults to onTimeout. */
  onTransportError?: () => void;
}

export class ClientNonInviteTransaction {
  state: ClientNonInviteState = 'trying';
  readonly #request: Buffer;
  readonly #ctx: TransactionContext;
  readonly #handlers: ClientNonInviteHandlers;
  readonly #timers: TimerSet;

  constructor(ctx: TransactionContext, request: Buffer, handlers: ClientNonInviteHandlers) {
    this.#ctx = ctx;
    this.#request = request;
    this.#handlers = handlers;
    this.#timers = new TimerSet(ctx.timers);
    ctx.onTransportError = () => this.#transportError();
  }

  /** The request could not be sent (TCP connect failed): end now, reported like a timeout. */
  #transportError(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.#terminate();
    (this.#handlers.onTransportError ?? this.#handlers.onTimeout)();
  }

  start(): void {
    const { t1 } = this.#ctx.values;
    this.#ctx.send(this.#request);
    if (!this.#ctx.reliable) this.#retransmit(t1);
    this.#timers.start('F', 64 * t1, () => {
      this.#terminate();
      this.#handlers.onTimeout();
    });
  }

  #retransmit(interval: number): void {
    this.#timers.start('E', interval, () => {
      if (this.state !== 'trying' && this.state !== 'proceeding') return;
      this.#ctx.onRetransmit?.();
      this.#ctx.send(this.#request);
      const { t2 } = this.#ctx.values;
      this.#retransmit(this.state === 'proceeding' ? t2 : Math.min(interval * 2, t2));
    });
  }

  receiveResponse(res: ValidResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (res.status < 200) {
      this.state = 'proceeding';
      this.#handlers.onResponse(res);
      return;
    }
    this.state = 'completed';
    this.#timers.cancelAll();
    const wait = this.#ctx.reliable ? 0 : this.#ctx.values.t4;
    this.#timers.start('K', wait, () => this.#terminate());
    this.#handlers.onResponse(res);
  }

  /** No final response yet. */
  get inProgress(): boolean {
    return this.state === 'trying' || this.state === 'proceeding';
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
