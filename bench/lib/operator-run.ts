// What the benches that run the operator as it ships share: main.ts bundled to one ES module for
// plain node, the CPU a process used, and a bounded-parallel loop over work items.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('../..', import.meta.url).pathname;

/** The operator as it ships: operator/src/main.ts bundled with esbuild into `outfile`. */
export async function bundleOperator(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'operator/src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

/** User + system CPU seconds of a process so far (from /proc, clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** Runs `fn` over `items`, at most `parallel` at a time. */
export async function pool<T>(
  items: readonly T[],
  parallel: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}
