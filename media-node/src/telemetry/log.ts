/**
 * Structured JSON-line logs. Messages are static strings; phone numbers, transcripts and prompts
 * go only into attributes whose key starts with `pii.` so that a log pipeline can drop them.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogAttributes = Record<string, unknown>;

export interface Logger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
  child(attributes: LogAttributes): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
  base?: LogAttributes;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.cause !== undefined) out['cause'] = serialise(value.cause);
    return out;
  }
  return value;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.base ?? {};
  const emit = (level: LogLevel, message: string, attributes: LogAttributes = {}): void => {
    if (RANK[level] < threshold) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message };
    for (const [k, v] of Object.entries(base)) record[k] = serialise(v);
    for (const [k, v] of Object.entries(attributes)) record[k] = serialise(v);
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, a) => emit('debug', m, a),
    info: (m, a) => emit('info', m, a),
    warn: (m, a) => emit('warn', m, a),
    error: (m, a) => emit('error', m, a),
    child: (attributes) => createJsonLogger({ ...options, base: { ...base, ...attributes } }),
  };
}

/** Parses `VOICEFLEET_LOG_LEVEL`; anything unknown means `info`. */
export function logLevelFromEnv(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'warn' || value === 'error' ? value : 'info';
}
