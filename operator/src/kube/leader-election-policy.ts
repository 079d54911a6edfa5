// Pure decisions of leader election. Expiry is judged on the candidate's own clock: a lease is
// expired when its resourceVersion has not changed for a full lease duration since this
// candidate first saw that version (as client-go does), so clock skew between holders and
// candidates never matters.

export interface LeaseView {
  /** '' when the last holder released it. */
  holder: string;
  leaseDurationSeconds: number;
  resourceVersion: string;
}

export interface Observation {
  resourceVersion: string;
  /** Local time (ms) when this resourceVersion was first seen. */
  seenAt: number;
}

export type LeaseAction = 'create' | 'renew' | 'take-over' | 'wait';

export function observe(
  previous: Observation | undefined,
  lease: LeaseView | undefined,
  now: number,
): Observation | undefined {
  if (lease === undefined) return undefined;
  if (previous?.resourceVersion === lease.resourceVersion) return previous;
  return { resourceVersion: lease.resourceVersion, seenAt: now };
}

export function decideLeaseAction(
  lease: LeaseView | undefined,
  identity: string,
  observation: Observation | undefined,
  now: number,
): LeaseAction {
  if (lease === undefined) return 'create';
  if (lease.holder === identity) return 'renew';
  if (lease.holder === '') return 'take-over';
  const seenAt = observation?.resourceVersion === lease.resourceVersion ? observation.seenAt : now;
  return now >= seenAt + lease.leaseDurationSeconds * 1000 ? 'take-over' : 'wait';
}

/** A leader whose last successful renewal is older than the renew deadline must stop. */
export function mustStepDown(lastRenewAt: number, now: number, renewDeadlineMs: number): boolean {
  return now - lastRenewAt > renewDeadlineMs;
}
