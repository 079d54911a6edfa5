/**
 * Source-mapped stack traces cost 0.1-0.3 ms each to format, and libraries format stacks on hot
 * paths whose errors the node never logs: grpc-js formats one for every stream that ends with a
 * status other than OK, i.e. every TTS reply cut by barge-in and every greeting cut by a hang-up.
 * At 50 call setups a second that was 5 % of the event loop. The node's logs carry no stacks, so
 * once it is running stacks are formatted unmapped; an uncaught exception, the one stack a person
 * reads, has source maps switched back on before Node prints it.
 */
export function formatStacksUnmapped(): void {
  process.setSourceMapsEnabled(false);
  process.once('uncaughtExceptionMonitor', () => process.setSourceMapsEnabled(true));
}
