// A detached shell that outlives the test process only to clean up after it: when the parent
// PID is gone and the plane's directory still exists (stop() never ran), it SIGKILLs the PIDs
// listed in `<dir>/pids` and removes the directory. After a normal stop() it just exits.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const script = `
parent=$1; dir=$2
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
if [ -d "$dir" ]; then
  for p in $(cat "$dir/pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$dir"
fi
`;

export function startWatchdog(dir: string): void {
  const child = spawn('bash', ['-c', script, 'watchdog', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}

/** Records the PIDs the watchdog must kill should the test process die without stop(). */
export function recordPids(dir: string, pids: readonly number[]): void {
  writeFileSync(join(dir, 'pids'), pids.join('\n') + '\n');
}
