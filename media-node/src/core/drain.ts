/**
 * Drain: after SIGTERM or `POST /drain` the node refuses new calls, lets what it holds finish
 * (calls, calls being set up, SIP dialogs and transactions) and exits when nothing is left, or at
 * the deadline after hanging up the calls. `decideDrain` is the pure rule; `DrainController` is
 * the I/O shell that polls it.
 */
import { TypedEmitter } from '../lib/typed-emitter.js';

export interface DrainInput {
  /** When drain started (ms, same clock as `now`), or undefined when not draining. */
  startedAtMs: number | undefined;
  nowMs: number;
  /** Calls, calls being set up, and SIP work not finished (MediaNode.inProgress). */
  inProgress: number;
  deadlineSeconds: number;
}

export type DrainDecision =
  | { kind: 'serving' }
  | { kind: 'wait'; remainingMs: number }
  | { kind: 'exit'; reason: 'empty' }
  | { kind: 'hangup-and-exit'; reason: 'deadline' };

export function decideDrain(input: DrainInput): DrainDecision {
  if (input.startedAtMs === undefined) return { kind: 'serving' };
  if (input.inProgress <= 0) return { kind: 'exit', reason: 'empty' };
  const remainingMs = input.startedAtMs + input.deadlineSeconds * 1000 - input.nowMs;
  if (remainingMs <= 0) return { kind: 'hangup-and-exit', reason: 'deadline' };
  return { kind: 'wait', remainingMs };
}

export interface DrainTarget {
  inProgress(): number;
  /** Ends every remaining call (BYE); resolves when they are torn down. */
  hangupAll(reason: 'drain-deadline'): Promise<void>;
}

export type DrainEvents = {
  started: [];
  done: [{ reason: 'empty' | 'deadline' }];
};

export interface DrainControllerOptions {
  deadlineSeconds: number;
  pollMs?: number;
  now?: () => number;
}

export class DrainController extends TypedEmitter<DrainEvents> {
  #startedAtMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;
  readonly #target: DrainTarget;
  readonly #options: Required<DrainControllerOptions>;

  constructor(target: DrainTarget, options: DrainControllerOptions) {
    super();
    this.#target = target;
    this.#options = { pollMs: 200, now: () => Date.now(), ...options };
  }

  get draining(): boolean {
    return this.#startedAtMs !== undefined;
  }

  /** Starts draining; a second call is a no-op. */
  start(): void {
    if (this.#startedAtMs !== undefined) return;
    this.#startedAtMs = this.#options.now();
    this.emit('started');
    this.check();
  }

  /** Re-evaluates at once (call when a call ends); also runs on a timer while draining. */
  check(): void {
    if (this.#finished) return;
    const decision = decideDrain({
      startedAtMs: this.#startedAtMs,
      nowMs: this.#options.now(),
      inProgress: this.#target.inProgress(),
      deadlineSeconds: this.#options.deadlineSeconds,
    });
    switch (decision.kind) {
      case 'serving':
        return;
      case 'wait':
        this.#arm(Math.min(decision.remainingMs, this.#options.pollMs));
        return;
      case 'exit':
        this.#finish('empty');
        return;
      case 'hangup-and-exit':
        this.#finished = true;
        this.#disarm();
        this.#target.hangupAll('drain-deadline').then(
          () => this.emit('done', { reason: 'deadline' }),
          () => this.emit('done', { reason: 'deadline' }),
        );
        return;
    }
  }

  stop(): void {
    this.#disarm();
    this.#finished = true;
  }

  #finish(reason: 'empty' | 'deadline'): void {
    this.#finished = true;
    this.#disarm();
    this.emit('done', { reason });
  }

  #arm(ms: number): void {
    this.#disarm();
    this.#timer = setTimeout(() => this.check(), Math.max(1, ms));
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
