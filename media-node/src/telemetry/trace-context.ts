/**
 * The W3C trace context (`traceparent`, `tracestate`) of the active span, as headers for a
 * provider request: the provider's own spans then join the call's trace under the turn that asked.
 * Empty when tracing is off (the global propagator is a no-op until the SDK starts).
 */
import { context, propagation } from '@opentelemetry/api';

export function traceContextHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}
