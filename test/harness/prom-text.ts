// Reads a sample from Prometheus text exposition by name and labels, whatever order the labels
// are written in (prom-client writes default labels after a metric's own, and `le` first).

/** The value of the sample `name` whose labels are exactly `labels`, or undefined. */
export function sampleValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    if (got.sort().join(',') === want) return Number(m[3]);
  }
  return undefined;
}
