// Cuts a TCP byte stream into SIP messages using Content-Length (RFC 3261 §18.3).
// Pure: feed chunks in, get parse results out; a framing error means the connection must close.
import { findHeaderEnd, parseMessage, skipLeadingCrlf } from './parser.js';
import {
  DEFAULT_PARSE_LIMITS,
  type ParseFailure,
  type ParseLimits,
  type ParseResult,
} from './parse-result.js';

export type FramerOutput =
  | { type: 'message'; result: ParseResult }
  /** Unrecoverable framing: answer `result` if it has a reply, then close the connection. */
  | { type: 'fatal'; result: ParseFailure };

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(.*?)[ \t]*$/gim;

export class StreamFramer {
  #buf: Buffer = Buffer.alloc(0);
  #failed = false;
  readonly #limits: ParseLimits;

  constructor(limits: ParseLimits = DEFAULT_PARSE_LIMITS) {
    this.#limits = limits;
  }

  get buffered(): number {
    return this.#buf.length;
  }

  push(chunk: Buffer): FramerOutput[] {
    if (this.#failed) return [];
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: FramerOutput[] = [];
    for (;;) {
      const start = skipLeadingCrlf(this.#buf);
      if (start > 0) this.#buf = this.#buf.subarray(start);
      if (this.#buf.length === 0) break;
      const head = findHeaderEnd(this.#buf);
      if (!head) {
        if (this.#buf.length > this.#limits.maxMessageBytes) out.push(this.#fatal('too-large'));
        break;
      }
      const headerText = this.#buf.toString('latin1', 0, head.end);
      const lengths = [...headerText.matchAll(CONTENT_LENGTH)].map((m) => m[1] ?? '');
      const length = lengths.length === 0 ? 0 : Number(lengths[0]);
      const valid =
        lengths.every((l) => /^\d{1,10}$/.test(l) && Number(l) === length) &&
        head.bodyStart + length <= this.#limits.maxMessageBytes;
      if (!valid) {
        // Parse what we have so the caller can answer 400 before closing.
        const result = parseMessage(this.#buf.subarray(0, head.bodyStart), {
          stream: true,
          limits: this.#limits,
        });
        out.push(this.#fatal('bad-content-length', result.ok ? undefined : result));
        break;
      }
      const total = head.bodyStart + length;
      if (this.#buf.length < total) break;
      const frame = this.#buf.subarray(0, total);
      this.#buf = this.#buf.subarray(total);
      out.push({
        type: 'message',
        result: parseMessage(frame, { stream: true, limits: this.#limits }),
      });
    }
    return out;
  }

  #fatal(code: 'too-large' | 'bad-content-length', parsed?: ParseFailure): FramerOutput {
    this.#failed = true;
    this.#buf = Buffer.alloc(0);
    const result: ParseFailure = parsed ?? {
      ok: false,
      code,
      detail: code === 'too-large' ? 'message too large' : 'bad Content-Length',
      status: 400,
      reply: undefined,
    };
    return { type: 'fatal', result };
  }
}
