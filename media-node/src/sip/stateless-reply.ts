// The stateless answer to a request that failed to parse (400, 505, 513): raw Via/From/To/
// Call-ID/CSeq copied back, sent where the top Via says (or to the source when it is unreadable).
// Never for ACK, never for responses or messages without a Via.
import type { ParseFailure } from './parse-result.js';
import { reasonPhrase } from './reasons.js';
import { buildErrorResponse, serializeResponse } from './serializer.js';
import type { Source, Target } from './transport.js';
import { parseVia, responseDestination } from './via.js';

export function statelessReply(
  failure: ParseFailure,
  source: Source,
  forceRport = false,
): { target: Target; data: Buffer } | undefined {
  const reply = failure.reply;
  if (!reply || /\bACK\s*$/i.test(reply.cseq ?? '')) return undefined;
  const top = parseVia(reply.via[0] ?? '');
  const dest =
    top && source.transport === 'udp' ? responseDestination(top, source, forceRport) : source;
  const res = buildErrorResponse(reply, failure.status, reasonPhrase(failure.status));
  return { target: { ...dest, transport: source.transport }, data: serializeResponse(res) };
}
