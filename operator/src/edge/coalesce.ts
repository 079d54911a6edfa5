// A task that runs at most once at a time: calls during a run queue exactly one more run.

/** Runs `task` at most once at a time; calls during a run queue exactly one more run. */
export function coalesce(
  task: () => Promise<void>,
  onError: (error: unknown) => void,
): (() => void) & { now: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): Promise<void> => {
    running = task()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void start();
        }
      });
    return running;
  };
  const fn = (): void => {
    if (running !== undefined) again = true;
    else void start();
  };
  fn.now = (): Promise<void> => running ?? start();
  return fn;
}
