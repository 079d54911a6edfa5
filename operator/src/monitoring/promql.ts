// Small PromQL text helpers: label matchers with escaped values, and `le` matchers that hold for
// both ways Prometheus stores a bucket boundary (`1` as exposed by prom-client, `1.0` as
// Prometheus 3 normalises it).

export type Matchers = Readonly<Record<string, string>>;

/** `{a="x",b=~"y"}`: keys ending in `=~` or `!=` keep that operator (`{'code=~': '5..'}`). */
export function selector(matchers: Matchers): string {
  const parts = Object.entries(matchers).map(([key, value]) => {
    const op = /(=~|!=|!~)$/.exec(key)?.[1] ?? '=';
    const name = op === '=' ? key : key.slice(0, -op.length);
    return `${name}${op}${quoteString(value)}`;
  });
  return `{${parts.join(',')}}`;
}

/** A PromQL double-quoted string. */
export function quoteString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A regular expression matching a bucket boundary in seconds however it was written. */
export function leRegex(seconds: number): string {
  const text = String(seconds).replace(/\./g, '\\.');
  return Number.isInteger(seconds) ? `${text}(\\.0)?` : text;
}

/** A number as PromQL reads it, without binary noise: 1 - 0.999 -> 0.001. */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(10)));
}
