// A compact node:test reporter: one line per top-level test, one line per failure with its
// reason, and a closing `tests: N passed, N failed, N skipped` line.
import { relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function reason(error) {
  const cause = error?.cause ?? error;
  const text = cause?.message ?? String(cause);
  return text.split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 400);
}

function where(file) {
  return file ? relative(root, file) : '?';
}

export default async function* compactReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for await (const event of source) {
    const { data } = event;
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const leaf = data.details?.type !== 'suite';
      const ok = event.type === 'test:pass';
      if (leaf) {
        if (data.skip || data.todo) skipped += 1;
        else if (ok) passed += 1;
        else failed += 1;
      }
      if (!ok && leaf) {
        const line = `✖ ${where(data.file)} › ${data.name}: ${reason(data.details?.error)}`;
        failures.push(line);
        yield `  ${line}\n`;
      }
      if (data.nesting === 0) {
        const ms = Math.round(data.details?.duration_ms ?? 0);
        const mark = data.skip ? '-' : ok ? '✔' : '✖';
        let note = data.skip && typeof data.skip === 'string' ? ` (skipped: ${data.skip})` : '';
        // A suite fails on its own when a before/after hook throws: say why.
        if (!ok && !leaf) note = `: ${reason(data.details?.error)}`;
        yield `${mark} ${where(data.file)} › ${data.name} (${ms} ms)${note}\n`;
      }
    } else if (event.type === 'test:stderr' || event.type === 'test:stdout') {
      if (process.env.VOICEFLEET_TEST_VERBOSE) yield data.message;
    }
  }
  if (failures.length > 0) yield `\nFailures:\n${failures.map((f) => `  ${f}`).join('\n')}\n`;
  yield `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
