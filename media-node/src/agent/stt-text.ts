// What a caller said, as an STT stream's final results joined in order.
import type { SttStream } from '../providers/types.js';

export async function finalText(stream: SttStream): Promise<string> {
  let text = '';
  for await (const r of stream.results) if (r.final) text = text ? `${text} ${r.text}` : r.text;
  return text.trim();
}
