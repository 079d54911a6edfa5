// Leader election on a coordination.k8s.io/v1 Lease. Candidates read the Lease, decide (pure,
// see leader-election-policy.ts) and write it back with the resourceVersion they read, so two
// candidates never both win. The leader renews every retry period and steps down (aborts the
// signal it gave onStartedLeading) when it could not renew within the renew deadline. On
// shutdown it releases the Lease (empty holder), so the next candidate takes over at once.
import {
  ApiException,
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { withJitter } from '../runtime/backoff.js';
import {
  decideLeaseAction,
  mustStepDown,
  observe,
  type LeaseView,
  type Observation,
} from './leader-election-policy.js';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name, e.g. `voicefleet-operator`. */
  name: string;
  /** Unique per candidate, e.g. the pod name. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called when this candidate becomes leader; `signal` aborts when it stops leading. */
  onStartedLeading: (signal: AbortSignal) => Promise<void> | void;
  /** Called after the leading task has finished and leadership is gone. */
  onStoppedLeading?: () => void;
  /** A Lease read or write failed (the elector retries by itself). */
  onError?: (error: unknown) => void;
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

function view(lease: V1Lease): LeaseView {
  return {
    holder: lease.spec?.holderIdentity ?? '',
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 15,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

/** Rejects after `ms` (the request itself may linger; its result is then ignored). */
async function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  const timer = new AbortController();
  promise.catch(() => undefined);
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: timer.signal }).then(() => {
        throw new Error(`lease request took longer than ${ms} ms`);
      }),
    ]);
  } finally {
    timer.abort();
  }
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observation: Observation | undefined;
  private leading = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(
      this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs
    )) {
      throw new Error('leader election: need leaseDuration > renewDeadline > retryPeriod');
    }
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns, leads, and campaigns again after losing the lease, until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if ((await this.tryAcquireOrRenew()) === 'held') await this.lead(signal);
      else await this.pause(signal);
    }
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true;
    const term = new AbortController();
    const stopTerm = () => term.abort();
    signal.addEventListener('abort', stopTerm, { once: true });
    let failed = false;
    const task = Promise.resolve()
      .then(() => this.options.onStartedLeading(term.signal))
      .catch((error: unknown) => {
        // Leading without working helps no one: end the term and campaign again.
        this.options.onError?.(error);
        failed = true;
        term.abort();
      });
    let lastRenewAt = Date.now();
    while (!signal.aborted && !term.signal.aborted) {
      await this.pause(signal);
      if (signal.aborted) break;
      const round = await this.tryAcquireOrRenew(lastRenewAt);
      if (round === 'held') lastRenewAt = Date.now();
      else if (round === 'other-holder')
        break; // someone else holds it: stop at once
      else if (mustStepDown(lastRenewAt, Date.now(), this.renewDeadlineMs)) break;
    }
    term.abort();
    signal.removeEventListener('abort', stopTerm);
    await task;
    this.leading = false;
    this.options.onStoppedLeading?.();
    if (signal.aborted || failed) await this.release();
  }

  /** One read-decide-write round: does this candidate hold the lease afterwards? */
  private async tryAcquireOrRenew(
    lastRenewAt?: number,
  ): Promise<'held' | 'other-holder' | 'failed'> {
    const { namespace, name, identity } = this.options;
    const now = Date.now();
    // A renewal must land before the deadline; a campaign round within one retry period.
    const budget =
      lastRenewAt === undefined
        ? this.retryPeriodMs
        : Math.max(1, lastRenewAt + this.renewDeadlineMs - now);
    try {
      let lease: V1Lease | undefined;
      try {
        lease = await bounded(this.api.readNamespacedLease({ name, namespace }), budget);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
      const current = lease === undefined ? undefined : view(lease);
      this.observation = observe(this.observation, current, now);
      const action = decideLeaseAction(current, identity, this.observation, now);
      if (action === 'wait') return 'other-holder';
      const micro = new V1MicroTime(now);
      const spec = {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        renewTime: micro,
        acquireTime: action === 'renew' ? (lease?.spec?.acquireTime ?? micro) : micro,
        leaseTransitions: (lease?.spec?.leaseTransitions ?? 0) + (action === 'take-over' ? 1 : 0),
      };
      if (lease === undefined) {
        await bounded(
          this.api.createNamespacedLease({
            namespace,
            body: { metadata: { name, namespace }, spec },
          }),
          budget,
        );
      } else {
        // resourceVersion makes this a compare-and-swap: a concurrent writer gets 409.
        await bounded(
          this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } }),
          budget,
        );
      }
      return 'held';
    } catch (error) {
      // 409: another writer got there first; the next round reads who holds it now.
      if (!isStatus(error, 409)) this.options.onError?.(error);
      return 'failed';
    }
  }

  /** Gives the lease up so the next candidate need not wait for it to expire. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    try {
      const lease = await bounded(
        this.api.readNamespacedLease({ name, namespace }),
        this.retryPeriodMs,
      );
      if (lease.spec?.holderIdentity !== identity) return;
      const spec = {
        ...lease.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: new V1MicroTime(Date.now()),
      };
      await bounded(
        this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } }),
        this.retryPeriodMs,
      );
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private async pause(signal: AbortSignal): Promise<void> {
    await sleep(withJitter(this.retryPeriodMs, Math.random()), undefined, { signal }).catch(
      () => undefined,
    );
  }
}
