// INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026's Accepted state).
// Final non-2xx: retransmitted with Timer G until ACK, given up at Timer H, absorbed for Timer I.
// 2xx: this machine retransmits it (T1 doubling to T2) until the TU reports the ACK or Timer H
// fires, which it reports as `onAckTimeout` so the TU can end the call; after the ACK it absorbs
// late INVITE retransmissions for Timer L.
import { TimerSet, type TransactionContext } from './transaction-context.js';

export type ServerInviteState =
  'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export class ServerInviteTransaction {
  state: ServerInviteState = 'proceeding';
  #last: Buffer | undefined;
  readonly #ctx: TransactionContext;
  readonly #timers: TimerSet;
  readonly #onAckTimeout: () => void;

  constructor(ctx: TransactionContext, onAckTimeout: () => void) {
    this.#ctx = ctx;
    this.#timers = new TimerSet(ctx.timers);
    this.#onAckTimeout = onAckTimeout;
  }

  /**
   * TU sends a response (status decides the transition). `alreadySent`: the bytes left before the
   * transaction existed (answered on arrival, rtp-thread/worker/answer-on-arrival.ts); only retransmissions follow.
   */
  respond(status: number, data: Buffer, alreadySent = false): void {
    if (this.state !== 'proceeding') return;
    this.#last = data;
    if (!alreadySent) this.#ctx.send(data);
    if (status < 200) return;
    const { t1, t2 } = this.#ctx.values;
    this.state = status < 300 ? 'accepted' : 'completed';
    if (!this.#ctx.reliable) this.#retransmit(t1, t2);
    this.#timers.start('H', 64 * t1, () => {
      const wasAccepted = this.state === 'accepted';
      this.#terminate();
      if (wasAccepted) this.#onAckTimeout();
    });
    // a 2xx settles with its ACK (the TU must hear of a missing one); a failure settles now
    if (this.state === 'completed') this.#ctx.onSettled?.();
  }

  #retransmit(interval: number, t2: number): void {
    this.#timers.start('G', interval, () => {
      if (this.state !== 'completed' && this.state !== 'accepted') return;
      this.#ctx.onRetransmit?.();
      if (this.#last) this.#ctx.send(this.#last);
      this.#retransmit(Math.min(interval * 2, t2), t2);
    });
  }

  /** A retransmission of the INVITE arrived. */
  receiveInvite(): void {
    if (this.state === 'proceeding' || this.state === 'completed' || this.state === 'accepted') {
      if (this.#last) this.#ctx.send(this.#last);
    }
  }

  /** ACK for a non-2xx final response (matched to this transaction). */
  receiveAck(): void {
    if (this.state !== 'completed') return;
    this.state = 'confirmed';
    this.#last = undefined; // nothing is sent again from here
    this.#timers.cancel('G');
    this.#timers.cancel('H');
    const wait = this.#ctx.reliable ? 0 : this.#ctx.values.t4;
    this.#timers.start('I', wait, () => this.#terminate());
  }

  /** The TU saw the ACK for our 2xx (it is a separate transaction, matched by dialog). */
  ack2xx(): void {
    if (this.state !== 'accepted') return;
    // Stay to absorb late INVITE retransmissions (RFC 6026 Timer L), without answering them.
    this.state = 'confirmed';
    this.#last = undefined;
    this.#timers.cancel('G');
    this.#timers.cancel('H');
    const wait = this.#ctx.reliable ? 0 : 64 * this.#ctx.values.t1;
    this.#timers.start('L', wait, () => this.#terminate());
    this.#ctx.onSettled?.();
  }

  /**
   * The TU no longer wants its 2xx sent again: the dialog ended before the ACK (the caller's BYE
   * came first, so it had the 2xx). Late INVITE retransmissions are still absorbed (Timer L).
   */
  endWithoutAck(): void {
    this.ack2xx();
  }

  /** Work is left: a final response to send, or one being retransmitted until its ACK. */
  get inProgress(): boolean {
    return this.state === 'proceeding' || this.state === 'accepted' || this.state === 'completed';
  }

  /** Ends the transaction at once (endpoint shutdown). */
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
