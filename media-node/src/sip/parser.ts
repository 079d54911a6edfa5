// Parses one SIP message from a Buffer (a UDP datagram, or a frame cut by the stream framer).
// Every outcome is a value: malformed input yields a ParseFailure saying whether a response can
// be sent, never an exception.
import { LIST_HEADERS, canonicalHeaderName } from './header-names.js';
import { isToken, splitOutside } from './lex.js';
import type { HeaderList } from './message.js';
import {
  DEFAULT_PARSE_LIMITS,
  type ParseErrorCode,
  type ParseFailure,
  type ParseLimits,
  type ParseResult,
  type ReplyHeaders,
} from './parse-result.js';
import { validateMessage } from './validate-message.js';

export interface ParseOptions {
  /** true for TCP frames: a missing Content-Length means an empty body. */
  stream?: boolean;
  limits?: ParseLimits;
}

/** Index of the blank line ending the headers and where the body starts, or undefined. */
export function findHeaderEnd(
  buf: Buffer,
  from = 0,
): { end: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

/** Skips CRLFs before a start line (keep-alives, RFC 3261 §7.5). */
export function skipLeadingCrlf(buf: Buffer, from = 0): number {
  let i = from;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}

export function fail(
  code: ParseErrorCode,
  detail: string,
  reply: ReplyHeaders | undefined,
  status = 400,
): ParseFailure {
  return { ok: false, code, detail, status, reply };
}

function pushHeaderLine(line: string, headers: HeaderList, badLines: string[]): void {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trimEnd();
  if (!isToken(name)) {
    badLines.push(line);
    return;
  }
  const canonical = canonicalHeaderName(name);
  const value = line.slice(colon + 1).trim();
  if (LIST_HEADERS.has(canonical)) {
    const parts = splitOutside(value, ',');
    if (parts) {
      for (const p of parts) headers.push([canonical, p.trim()]);
      return;
    }
  }
  headers.push([canonical, value]);
}

export function parseMessage(input: Buffer, options: ParseOptions = {}): ParseResult {
  const limits = options.limits ?? DEFAULT_PARSE_LIMITS;
  if (input.length > limits.maxMessageBytes)
    return fail('too-large', 'message too large', undefined, 513);
  const start = skipLeadingCrlf(input);
  if (start >= input.length) return fail('empty', 'no message', undefined);
  const headerEnd = findHeaderEnd(input, start);
  // A datagram cut short: treat its end as the end of the headers so a 400 can still be sent.
  const end = headerEnd?.end ?? input.length;
  const bodyStart = headerEnd?.bodyStart ?? input.length;
  const lines = input.toString('utf8', start, end).split(/\r?\n/);
  const startLine = lines[0] ?? '';

  const headers: HeaderList = [];
  let current: string | undefined;
  let count = 0;
  const badLines: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current === undefined) badLines.push(line);
      else current += ' ' + line.trim();
    } else {
      if (current !== undefined) pushHeaderLine(current, headers, badLines);
      current = line;
      count++;
    }
    if (current !== undefined && current.length > limits.maxHeaderBytes) {
      return fail('header-too-long', 'header line too long', undefined);
    }
  }
  if (current !== undefined) pushHeaderLine(current, headers, badLines);
  if (count > limits.maxHeaders) return fail('too-many-headers', 'too many headers', undefined);

  return validateMessage({
    startLine,
    headers,
    badLines,
    input,
    bodyStart,
    headerComplete: headerEnd !== undefined,
    stream: options.stream === true,
    maxBody: limits.maxMessageBytes,
  });
}
