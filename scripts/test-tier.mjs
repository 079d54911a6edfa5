// Runs test files with node:test's run() (loaded under tsx by run-tests.mjs): the compact
// reporter, `concurrency` files at a time, and forceExit, so a file whose tests are done ends
// even when a failed hook left a socket or a thread open. No test or hook waits past 10 minutes:
// a hang fails one file, never the whole run.
import { run } from 'node:test';
import compactReporter from './test-reporter.mjs';

const [concurrency, ...files] = process.argv.slice(2);
const stream = run({
  files,
  concurrency: Number(concurrency),
  forceExit: true,
  timeout: 600_000,
});
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(compactReporter).pipe(process.stdout);
