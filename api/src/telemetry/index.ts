/**
 * @voicefleet/api/telemetry: what every voicefleet process shares to trace itself (the SDK set up
 * from `OTEL_*` variables). The spans themselves belong to each process.
 */
export { startTracing, type Tracing } from './start-tracing.js';
