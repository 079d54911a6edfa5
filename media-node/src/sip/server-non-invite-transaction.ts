// Non-INVITE server transaction (RFC 3261 §17.2.2): Trying -> Proceeding -> Completed (Timer J).
import { TimerSet, type TransactionContext } from './transaction-context.js';

export type ServerNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class ServerNonInviteTransaction {
  state: ServerNonInviteState = 'trying';
  #last: Buffer | undefined;
  readonly #ctx: TransactionContext;
  readonly #timers: TimerSet;

  constructor(ctx: TransactionContext) {
    this.#ctx = ctx;
    this.#timers = new TimerSet(ctx.timers);
  }

  respond(status: number, data: Buffer): void {
    if (this.state === 'completed' || this.state === 'terminated') return;
    this.#last = data;
    this.#ctx.send(data);
    if (status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    const wait = this.#ctx.reliable ? 0 : 64 * this.#ctx.values.t1;
    this.#timers.start('J', wait, () => this.terminate());
    this.#ctx.onSettled?.();
  }

  /** No final response sent yet. */
  get inProgress(): boolean {
    return this.state === 'trying' || this.state === 'proceeding';
  }

  /** A retransmission of the request: answer with the last response, if any. */
  receiveRequest(): void {
    if ((this.state === 'proceeding' || this.state === 'completed') && this.#last)
      this.#ctx.send(this.#last);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.#timers.cancelAll();
    this.#ctx.onTerminated();
  }
}
