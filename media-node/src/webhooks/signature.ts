// Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the webhook's key, sent as
// `X-Voicefleet-Signature: sha256=<hex>` beside `X-Voicefleet-Timestamp: <unix seconds>`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(key: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver checks: the signature matches the timestamp and the body, in constant time. */
export function verifyWebhookSignature(
  key: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhook(key, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
