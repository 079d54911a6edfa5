// Webhooks: call events delivered to the application, signed, at least once.
export { maskPhoneNumbers } from '../lib/mask.js';
export { signWebhook, verifyWebhookSignature } from './signature.js';
export { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.js';
export {
  WebhookEventMapper,
  latencySummary,
  type WebhookData,
  type WebhookEvent,
} from './webhook-events.js';
export { WebhookSender, type Delivery, type WebhookSenderOptions } from './webhook-sender.js';
export { Webhooks, type WebhooksConfig, type WebhooksOptions } from './webhooks.js';
