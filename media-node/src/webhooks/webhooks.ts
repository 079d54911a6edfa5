/**
 * The node's webhooks (`events.webhooks` of its config): every call event the bus publishes is
 * turned into webhook events (webhook-events.ts), each gets a delivery id, and each webhook that
 * asked for its type gets it in its own bounded queue (webhook-sender.ts). The bus listener only
 * maps and enqueues; delivery runs later, on the event loop and never on the RTP thread. Signing
 * keys come from environment variables (filled from Secrets); neither they nor the URLs are logged.
 */
import { randomUUID } from 'node:crypto';
import type { MediaNodeConfig } from '@voicefleet/api';
import type { CallEvent, CallEventBus } from '../core/call-events.js';
import type { Logger } from '../telemetry/log.js';
import type { WebhookMetrics } from './webhook-metrics.js';
import { WebhookEventMapper } from './webhook-events.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

export type WebhooksConfig = NonNullable<MediaNodeConfig['events']>;

export interface WebhooksOptions {
  config: WebhooksConfig;
  env: Readonly<Record<string, string | undefined>>;
  events: CallEventBus;
  agent: { namespace: string; name: string };
  region: string;
  metrics: WebhookMetrics;
  log: Logger;
  /** Retry timing; tests shorten it. */
  backoff?: Pick<WebhookSenderOptions, 'initialBackoffMs' | 'maxBackoffMs' | 'timeoutMs'>;
}

/** Logs the first dropped event of a webhook and then every this many. */
const DROP_LOG_EVERY = 100;

export class Webhooks {
  readonly #senders: { sender: WebhookSender; types: ReadonlySet<string> }[];
  readonly #mapper = new WebhookEventMapper();
  readonly #o: WebhooksOptions;
  readonly #listener = (event: CallEvent): void => this.#onEvent(event);

  constructor(options: WebhooksOptions) {
    this.#o = options;
    const { metrics, log } = options;
    this.#senders = options.config.webhooks.map((w, index) => {
      const key = options.env[w.secretEnv];
      if (key === undefined || key === '') {
        throw new Error(`webhook ${index}: signing key variable ${w.secretEnv} is empty`);
      }
      const webhook = String(index);
      const wlog = log.child({ component: 'webhook', webhook });
      metrics.queueDepth.set({ webhook }, 0);
      const sender = new WebhookSender({
        url: w.url,
        key,
        queueSize: options.config.queueSize,
        ...options.backoff,
        log: wlog,
        onDelivered: (d) => {
          metrics.deliveries.inc({ webhook, outcome: 'delivered' });
          metrics.deliverySeconds.observe({ webhook }, (Date.now() - d.enqueuedAt) / 1000);
        },
        onAttemptFailed: () => metrics.deliveries.inc({ webhook, outcome: 'failed' }),
        onDropped: (d, dropped) => {
          metrics.dropped.inc({ webhook });
          if (dropped === 1 || dropped % DROP_LOG_EVERY === 0) {
            wlog.warn('webhook queue full, event dropped', {
              type: d.type,
              dropped,
              queueSize: options.config.queueSize,
            });
          }
        },
        onDepth: (depth) => metrics.queueDepth.set({ webhook }, depth),
      });
      return { sender, types: new Set<string>(w.events) };
    });
    if (this.#senders.length > 0) options.events.on('event', this.#listener);
  }

  /** Waits up to `ms` for every queue to empty (a draining node calls this before it exits). */
  async flush(ms: number): Promise<void> {
    await Promise.all(this.#senders.map(({ sender }) => sender.flush(ms)));
  }

  close(): void {
    this.#o.events.off('event', this.#listener);
    for (const { sender } of this.#senders) sender.close();
  }

  #onEvent(event: CallEvent): void {
    for (const e of this.#mapper.map(event)) {
      const targets = this.#senders.filter(({ types }) => types.has(e.type));
      if (targets.length === 0) continue;
      const id = randomUUID();
      const body = JSON.stringify({
        id,
        ...e,
        agent: this.#o.agent,
        region: this.#o.region,
      });
      const enqueuedAt = Date.now();
      for (const { sender } of targets) sender.enqueue({ id, type: e.type, body, enqueuedAt });
    }
  }
}
