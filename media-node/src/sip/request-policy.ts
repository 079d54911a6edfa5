// Pure decision for a request outside any dialog: which response, or hand it to the application.
import { headerValue, headerValues, type HeaderList, type ValidRequest } from './message.js';
import { answerSessionTimer, type SessionTimerPolicy } from './session-timer.js';
import { uriScheme } from './uri.js';

export const ALLOWED_METHODS = [
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'UPDATE',
  'REFER',
  'NOTIFY',
  'INFO',
];
/** What we do: in 405 answers, and in 2xx to INVITE and OPTIONS (RFC 3261 §13.3.1.4, §11.2). */
export const ALLOW_HEADER: [string, string] = ['allow', ALLOWED_METHODS.join(', ')];
/** The extensions we support: session timers (RFC 4028). */
export const SUPPORTED_HEADER: [string, string] = ['supported', 'timer'];

/** Methods we know but do not serve (a media node is not a registrar or presence server). */
const NOT_ALLOWED = new Set(['REGISTER', 'SUBSCRIBE', 'PUBLISH', 'MESSAGE', 'PRACK']);
/** Methods that only make sense inside a dialog. */
const IN_DIALOG_ONLY = new Set(['BYE', 'INFO', 'NOTIFY', 'REFER', 'UPDATE']);

export type OutOfDialogDecision =
  | { kind: 'respond'; status: number; headers: HeaderList }
  | { kind: 'invite' }
  | { kind: 'options' };

const respond = (status: number, headers: HeaderList = []): OutOfDialogDecision => ({
  kind: 'respond',
  status,
  headers,
});

function acceptsSdp(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((t) => (t.split(';')[0] ?? '').trim().toLowerCase())
    .some((t) => t === 'application/sdp' || t === 'application/*' || t === '*/*');
}

/**
 * The answer to a request outside any dialog, or who takes it (an INVITE the application, an
 * OPTIONS the endpoint). `sessionTimer`: our session-timer policy (an INVITE asking for a shorter
 * interval than it allows gets 422).
 */
export function decideOutOfDialog(
  req: ValidRequest,
  sessionTimer: SessionTimerPolicy,
): OutOfDialogDecision {
  const { method } = req;
  if (NOT_ALLOWED.has(method)) return respond(405, [ALLOW_HEADER]);
  if (IN_DIALOG_ONLY.has(method)) return respond(481);
  if (method !== 'INVITE' && method !== 'OPTIONS') return respond(501, [ALLOW_HEADER]);
  const scheme = uriScheme(req.uri);
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') return respond(416);
  const maxForwards = headerValue(req.headers, 'max-forwards');
  // A UAS answers OPTIONS with Max-Forwards 0 itself (RFC 3261 §11); anything else looped.
  if (maxForwards !== undefined && Number(maxForwards) === 0 && method !== 'OPTIONS')
    return respond(483);
  const unsupported = headerValues(req.headers, 'require')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '' && t.toLowerCase() !== 'timer');
  if (unsupported.length > 0) return respond(420, [['unsupported', unsupported.join(', ')]]);
  if (method === 'OPTIONS') return { kind: 'options' };
  const contentType = headerValue(req.headers, 'content-type');
  const ct = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (req.body.length > 0 && ct !== 'application/sdp')
    return respond(415, [['accept', 'application/sdp']]);
  if (!acceptsSdp(headerValue(req.headers, 'accept')))
    return respond(406, [['accept', 'application/sdp']]);
  const timer = answerSessionTimer(req.headers, sessionTimer);
  if (timer.kind === 'too-small') return respond(422, [['min-se', String(timer.minSeconds)]]);
  return { kind: 'invite' };
}

/** The far end's Allow lists UPDATE (RFC 3311): session refreshes may use it. */
export function allowsUpdate(headers: HeaderList): boolean {
  return headerValues(headers, 'allow')
    .flatMap((v) => v.split(','))
    .some((m) => m.trim().toUpperCase() === 'UPDATE');
}
