/**
 * Worker threads of the media node: in development they run TypeScript, so an eval'd entry
 * registers tsx in the worker, then imports the module (execArgv `--import tsx` does not reach a
 * worker's entry on Node 20). Compiled JavaScript (the container image, scripts/bundle.ts) is
 * imported as it is: nothing compiles at run time there.
 */

/** Source for `new Worker(source, { eval: true })` that runs the module `module`. */
export function typeScriptWorkerSource(module: URL): string {
  if (!module.pathname.endsWith('.ts'))
    return `import(${JSON.stringify(module.href)}).catch((e) => { throw e; });`;
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })
  .catch((e) => { throw e; });`;
}
