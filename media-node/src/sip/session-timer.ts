// Session timers (RFC 4028): how long a session lives without a refresh, and which side refreshes
// it with a re-INVITE or UPDATE. Pure: reads the headers of a request or response and decides the
// interval, the refresher and the headers of our answer; the dialog runs the timer
// (session-refresh.ts).
import { headerValue, headerValues, type HeaderList } from './message.js';

/** Our side of the negotiation. RFC 4028 recommends 1800 s and allows no minimum below 90 s. */
export interface SessionTimerPolicy {
  /** The interval we ask for when the other side names none. */
  expiresSeconds: number;
  /** The shortest interval we accept (our Min-SE). */
  minSeconds: number;
}

export const DEFAULT_SESSION_TIMER: SessionTimerPolicy = { expiresSeconds: 1800, minSeconds: 90 };

/** Which side of a transaction refreshes: the one that sent the request (uac) or answered (uas). */
export type Refresher = 'uac' | 'uas';

export interface SessionExpires {
  seconds: number;
  refresher: Refresher | undefined;
}

/** `Session-Expires: 1800;refresher=uac` (compact `x`); undefined when absent or malformed. */
export function parseSessionExpires(headers: HeaderList): SessionExpires | undefined {
  const value = headerValue(headers, 'session-expires');
  if (value === undefined) return undefined;
  const [delta = '', ...params] = value.split(';').map((p) => p.trim());
  if (!/^\d{1,10}$/.test(delta)) return undefined;
  const refresher = params
    .map((p) => p.toLowerCase().split('='))
    .find(([name]) => name === 'refresher')?.[1];
  return {
    seconds: Number(delta),
    refresher: refresher === 'uac' || refresher === 'uas' ? refresher : undefined,
  };
}

/** `Min-SE: 90`; undefined when absent or malformed. */
export function parseMinSe(headers: HeaderList): number | undefined {
  const delta = headerValue(headers, 'min-se')?.split(';')[0]?.trim();
  return delta !== undefined && /^\d{1,10}$/.test(delta) ? Number(delta) : undefined;
}

/** Whether an option tag is listed in Supported (compact `k`) or Require. */
export function listsOption(headers: HeaderList, header: 'supported' | 'require', tag: string) {
  return headerValues(headers, header)
    .flatMap((v) => v.split(','))
    .some((t) => t.trim().toLowerCase() === tag);
}

export type SessionTimerAnswer =
  /** No session timer for this session. */
  | { kind: 'none' }
  /** 422 Session Interval Too Small, with our Min-SE. */
  | { kind: 'too-small'; minSeconds: number }
  /** A timer of `seconds`, refreshed by `refresher` (of the request's transaction). */
  | { kind: 'timer'; seconds: number; refresher: Refresher; requireTimer: boolean };

/**
 * The UAS's decision for an INVITE, re-INVITE or UPDATE (RFC 4028 §9): the interval the request
 * asks for (or ours when it supports the extension and asks none), never below our minimum; the
 * refresher it names, else the caller when it supports the extension, else us. A caller that does
 * not support the extension is never told to refresh and never sent Require: timer.
 */
export function answerSessionTimer(
  request: HeaderList,
  policy: SessionTimerPolicy,
): SessionTimerAnswer {
  const supported = listsOption(request, 'supported', 'timer');
  const asked = parseSessionExpires(request);
  if (asked === undefined) {
    if (!supported) return { kind: 'none' };
    return {
      kind: 'timer',
      seconds: Math.max(policy.expiresSeconds, parseMinSe(request) ?? 0),
      refresher: 'uac',
      requireTimer: true,
    };
  }
  if (asked.seconds < policy.minSeconds) {
    // A caller that cannot read a 422 gets the interval it asked for; we refresh.
    if (supported) return { kind: 'too-small', minSeconds: policy.minSeconds };
    return { kind: 'timer', seconds: asked.seconds, refresher: 'uas', requireTimer: false };
  }
  const refresher = supported ? (asked.refresher ?? 'uac') : 'uas';
  return { kind: 'timer', seconds: asked.seconds, refresher, requireTimer: supported };
}

/** The headers of a 2xx that carries `answer` (Session-Expires and, when due, Require). */
export function sessionTimerHeaders(answer: SessionTimerAnswer): HeaderList {
  if (answer.kind !== 'timer') return [];
  const headers: HeaderList = [
    ['session-expires', `${answer.seconds};refresher=${answer.refresher}`],
  ];
  if (answer.requireTimer) headers.push(['require', 'timer']);
  return headers;
}

/**
 * What a 2xx to our INVITE, re-INVITE or UPDATE says (RFC 4028 §7.2): the interval and refresher
 * it names; none when it names none (the other side does not do session timers).
 */
export function readSessionTimer(response: HeaderList): SessionExpires | undefined {
  const se = parseSessionExpires(response);
  if (se === undefined) return undefined;
  return { seconds: se.seconds, refresher: se.refresher ?? 'uac' };
}
