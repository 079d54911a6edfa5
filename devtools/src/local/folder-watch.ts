// Calls `onChange` once things settle after any change below a folder, until the signal aborts;
// `onError` hears why the folder can no longer be watched (for example, no inotify watches left).
// chokidar follows a file across atomic saves (written to a temporary file and renamed over the
// old one, as `sed -i` and many editors do), which a plain recursive fs.watch loses track of.
import { relative } from 'node:path';
import { watch } from 'chokidar';

/** Editor droppings below the folder: dotfiles and dot folders (.swp, .#lock, .git), backups (file~). */
const IGNORED = /(^|[/\\])\.[^/\\]|~$/;

export interface FolderWatch {
  onChange: () => void;
  onError: (error: Error) => void;
  signal: AbortSignal;
  /** Quiet time after the last event before `onChange` runs (one save is several events). */
  settleMs?: number;
}

export function watchFolder(
  dir: string,
  { onChange, onError, signal, settleMs = 300 }: FolderWatch,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, {
    ignoreInitial: true,
    ignored: (path) => IGNORED.test(relative(dir, path)),
    atomic: true,
  });
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  };
  watcher.on('all', changed);
  watcher.on('error', (error) =>
    onError(error instanceof Error ? error : new Error(String(error))),
  );
  signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
      void watcher.close();
    },
    { once: true },
  );
  return new Promise((ready) => watcher.once('ready', () => ready()));
}
