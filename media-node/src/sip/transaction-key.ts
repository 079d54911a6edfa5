// Transaction matching keys (RFC 3261 §17.1.3 for responses, §17.2.3 for requests, with the
// RFC 2543 fallback for branches without the magic cookie).
import type { ValidRequest } from './message.js';
import { tagOf } from './name-addr.js';
import { MAGIC_COOKIE, branchOf } from './via.js';

/** Key of the server transaction `req` belongs to; ACK and CANCEL can ask for their INVITE's. */
export function serverKey(req: ValidRequest, asMethod?: string): string {
  const method = asMethod ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  const top = req.via[0];
  const branch = branchOf(top);
  const sentBy = `${top?.host ?? ''}:${top?.port ?? ''}`;
  if (branch?.startsWith(MAGIC_COOKIE)) return `${branch}\n${sentBy}\n${method}`;
  return `2543\n${req.callId}\n${req.cseq.seq}\n${tagOf(req.from) ?? ''}\n${sentBy}\n${branch ?? ''}\n${method}`;
}

export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method === 'ACK' ? 'INVITE' : method}`;
}
