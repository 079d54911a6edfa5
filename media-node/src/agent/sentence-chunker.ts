/**
 * Cuts streamed LLM text into sentences for the TTS, so speaking starts before the reply is
 * complete. A sentence ends at . ! ? (or ; :) followed by space; very long runs are cut at a comma.
 */
const END = /[.!?;:]["')\]]?\s/;
const MAX_CHARS = 200;

export class SentenceChunker {
  #buffer = '';

  /** Adds a text delta; returns the sentences it completed. */
  push(delta: string): string[] {
    this.#buffer += delta;
    const out: string[] = [];
    for (;;) {
      const m = END.exec(this.#buffer);
      let cut = m ? m.index + m[0].length : -1;
      if (cut < 0 && this.#buffer.length > MAX_CHARS) {
        const comma = this.#buffer.lastIndexOf(', ', MAX_CHARS);
        cut = comma > 0 ? comma + 2 : MAX_CHARS;
      }
      if (cut < 0) break;
      const sentence = this.#buffer.slice(0, cut).trim();
      this.#buffer = this.#buffer.slice(cut);
      if (sentence) out.push(sentence);
    }
    return out;
  }

  /** The rest of the text at the end of the reply. */
  flush(): string | undefined {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    return rest || undefined;
  }
}
