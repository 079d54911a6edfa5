// Structured JSON logs on stderr: a static message plus attributes. Phone numbers, transcripts
// and prompts go only under `pii`; secret values are never passed in.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, attrs?: Record<string, unknown>): void;
  info(msg: string, attrs?: Record<string, unknown>): void;
  warn(msg: string, attrs?: Record<string, unknown>): void;
  error(msg: string, attrs?: Record<string, unknown>): void;
  child(attrs: Record<string, unknown>): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  base: Record<string, unknown> = {},
  level: LogLevel = (process.env['VOICEFLEET_LOG_LEVEL'] as LogLevel | undefined) ?? 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = order[level] ?? order.info;
  const emit = (lvl: LogLevel, msg: string, attrs?: Record<string, unknown>): void => {
    if (order[lvl] < min) return;
    const rec: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...base,
      ...attrs,
    };
    if (rec['err'] instanceof Error) rec['err'] = describeError(rec['err']);
    write(`${JSON.stringify(rec)}\n`);
  };
  return {
    debug: (m, a) => emit('debug', m, a),
    info: (m, a) => emit('info', m, a),
    warn: (m, a) => emit('warn', m, a),
    error: (m, a) => emit('error', m, a),
    child: (attrs) => createLogger({ ...base, ...attrs }, level, write),
  };
}

/** Message chain of an error and its causes (no response bodies, which may echo secrets). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur !== undefined && cur !== null; i++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(
        typeof code === 'number'
          ? `${cur.message} (HTTP ${code})`
          : (cur.message.split('\n')[0] ?? ''),
      );
      cur = cur.cause;
    } else {
      parts.push(typeof cur === 'string' ? cur.slice(0, 200) : JSON.stringify(cur).slice(0, 200));
      break;
    }
  }
  return parts.join(': ');
}
