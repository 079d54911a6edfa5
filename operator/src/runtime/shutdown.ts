// Process signals: the first SIGTERM/SIGINT aborts the operator's root AbortSignal (workers stop,
// the lease is released, servers close); a second one exits at once.
export interface ShutdownHandle {
  signal: AbortSignal;
  dispose(): void;
}

export function onShutdownSignals(
  onSignal: (signal: NodeJS.Signals) => void = () => undefined,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): ShutdownHandle {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(1);
    onSignal(sig);
    controller.abort(new Error(`received ${sig}`));
  };
  for (const s of signals) process.on(s, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) process.off(s, handler);
    },
  };
}
