/**
 * Worker threads of the media node run TypeScript: an eval'd entry registers tsx in the worker,
 * then imports the module (execArgv `--import tsx` does not reach a worker's entry on Node 20).
 */

/** Source for `new Worker(source, { eval: true })` that runs the TypeScript module `module`. */
export function typeScriptWorkerSource(module: URL): string {
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })
  .catch((e) => { throw e; });`;
}
