// Calls `onChange` once things settle after any change below a folder (editors write files in
// several steps), until the signal aborts.
import { watch } from 'node:fs';

export function watchFolder(
  dir: string,
  onChange: () => void,
  signal: AbortSignal,
  settleMs = 300,
): void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, { recursive: true, signal }, (_event, name) => {
    if (typeof name === 'string' && /(^|\/)\.|~$|\.swp$/.test(name)) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  });
  watcher.on('error', () => undefined);
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
}
