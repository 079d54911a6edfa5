/**
 * Starts a worker thread whose entry module is TypeScript: the worker registers tsx before it
 * imports the entry (execArgv `--import tsx` does not reach a worker's entry module on Node 20).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTsWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })
  .catch((e) => { throw e; });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
