/**
 * Pure admission decisions: may this node take a new call (INVITE), and what does it answer to
 * OPTIONS probes from the edge. No clock, no I/O.
 */

export interface AdmissionState {
  activeCalls: number;
  maxCalls: number;
  draining: boolean;
}

export type InviteDecision =
  | { kind: 'accept' }
  | { kind: 'reject'; status: 503; reason: 'draining' | 'full'; retryAfterSeconds: number };

/** Seconds a refused caller (the edge) is told to wait before trying this node again. */
export const RETRY_AFTER_FULL_SECONDS = 5;
export const RETRY_AFTER_DRAINING_SECONDS = 300;

export function decideInvite(state: AdmissionState): InviteDecision {
  if (state.draining) {
    return {
      kind: 'reject',
      status: 503,
      reason: 'draining',
      retryAfterSeconds: RETRY_AFTER_DRAINING_SECONDS,
    };
  }
  if (state.activeCalls >= state.maxCalls) {
    return {
      kind: 'reject',
      status: 503,
      reason: 'full',
      retryAfterSeconds: RETRY_AFTER_FULL_SECONDS,
    };
  }
  return { kind: 'accept' };
}

/** OPTIONS: 200 while a new call would be accepted, 503 while draining or full. */
export function optionsStatus(state: AdmissionState): 200 | 503 {
  return decideInvite(state).kind === 'accept' ? 200 : 503;
}

export function isAccepting(state: AdmissionState): boolean {
  return decideInvite(state).kind === 'accept';
}
