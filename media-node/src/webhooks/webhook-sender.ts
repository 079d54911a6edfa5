/**
 * Delivers one webhook's events in order from a bounded in-memory queue: each POST is signed
 * (signature.ts) and carries the event's delivery id; anything but a 2xx within the timeout is
 * retried with exponential backoff (doubling from `initialBackoffMs` up to `maxBackoffMs`) until it
 * lands. A full queue drops the new event and counts it. Enqueueing is a push and a wake-up: the
 * HTTP work runs later on the event loop, never inside the call's own handlers.
 */
import type { Logger } from '../telemetry/log.js';
import { signWebhook } from './signature.js';

export interface Delivery {
  /** Delivery id: the same on every attempt, so a receiver can drop what it already has. */
  id: string;
  type: string;
  body: string;
  enqueuedAt: number;
}

export interface WebhookSenderOptions {
  url: string;
  key: string;
  queueSize: number;
  /** First retry after this long, doubling each time (default 500 ms). */
  initialBackoffMs?: number;
  /** Longest wait between two attempts (default 30 s). */
  maxBackoffMs?: number;
  /** One attempt's limit (default 10 s). */
  timeoutMs?: number;
  log: Logger;
  onDelivered(delivery: Delivery, attempts: number): void;
  onAttemptFailed(delivery: Delivery): void;
  onDropped(delivery: Delivery, droppedSoFar: number): void;
  onDepth(depth: number): void;
}

export class WebhookSender {
  readonly #o: WebhookSenderOptions;
  readonly #queue: Delivery[] = [];
  readonly #ac = new AbortController();
  #running = false;
  #dropped = 0;
  #wake: (() => void) | undefined;
  #idle: Array<() => void> = [];

  constructor(options: WebhookSenderOptions) {
    this.#o = options;
  }

  get depth(): number {
    return this.#queue.length;
  }

  enqueue(delivery: Delivery): void {
    if (this.#ac.signal.aborted) return;
    if (this.#queue.length >= this.#o.queueSize) {
      this.#dropped++;
      this.#o.onDropped(delivery, this.#dropped);
      return;
    }
    this.#queue.push(delivery);
    this.#o.onDepth(this.#queue.length);
    if (!this.#running) {
      this.#running = true;
      setImmediate(() => void this.#run());
    }
  }

  /** Resolves once the queue is empty or after `ms`, whichever first. */
  async flush(ms: number): Promise<void> {
    if (this.#queue.length === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops delivering; what is still queued is lost (and logged). */
  close(): void {
    if (this.#queue.length > 0) {
      this.#o.log.warn('webhook closed with undelivered events', { pending: this.#queue.length });
    }
    this.#ac.abort();
    this.#wake?.();
    for (const done of this.#idle.splice(0)) done();
  }

  async #run(): Promise<void> {
    const signal = this.#ac.signal;
    let attempts = 0;
    while (!signal.aborted) {
      const head = this.#queue[0];
      if (!head) break;
      attempts++;
      if (await this.#post(head)) {
        this.#queue.shift();
        this.#o.onDepth(this.#queue.length);
        this.#o.onDelivered(head, attempts);
        attempts = 0;
        continue;
      }
      this.#o.onAttemptFailed(head);
      const initial = this.#o.initialBackoffMs ?? 500;
      const backoff = Math.min(this.#o.maxBackoffMs ?? 30_000, initial * 2 ** (attempts - 1));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.#running = false;
    if (this.#queue.length === 0) for (const done of this.#idle.splice(0)) done();
  }

  async #post(d: Delivery): Promise<boolean> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(this.#o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'voicefleet-media-node',
          'x-voicefleet-delivery': d.id,
          'x-voicefleet-event': d.type,
          'x-voicefleet-timestamp': String(timestamp),
          'x-voicefleet-signature': signWebhook(this.#o.key, timestamp, d.body),
        },
        body: d.body,
        signal: AbortSignal.any([
          this.#ac.signal,
          AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
        ]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return true;
      this.#o.log.info('webhook delivery refused', { status: res.status, type: d.type });
      return false;
    } catch (error) {
      if (!this.#ac.signal.aborted) {
        this.#o.log.info('webhook delivery failed', { type: d.type, error: String(error) });
      }
      return false;
    }
  }
}
