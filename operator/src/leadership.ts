// Runs the controllers only while this instance holds the leader Lease. Losing the lease aborts
// the signal handed to `lead` at once (no write after the lease may have passed to another
// instance); the process keeps its caches warm and campaigns again. On shutdown the lease is
// released, so a standby takes over without waiting for it to expire.
import type { KubeConfig } from '@kubernetes/client-node';
import type { OperatorConfig } from './config.js';
import { LeaderElector } from './kube/leader-election.js';
import type { Logger } from './runtime/log.js';
import type { OperatorMetrics } from './runtime/metrics.js';

export interface LeadershipContext {
  kc: KubeConfig;
  config: OperatorConfig;
  log: Logger;
  metrics: OperatorMetrics;
  signal: AbortSignal;
}

/** Renew deadline and retry period derived from the lease duration (client-go's 15/10/2 ratios). */
export function leaseTimings(leaseDurationSeconds: number): {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
} {
  const leaseDurationMs = leaseDurationSeconds * 1000;
  return {
    leaseDurationMs,
    renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3),
    retryPeriodMs: Math.max(250, Math.round(leaseDurationMs / 7.5)),
  };
}

export async function runWhileLeader(
  ctx: LeadershipContext,
  lead: (leading: AbortSignal) => Promise<void>,
): Promise<void> {
  const { config, log, metrics } = ctx;
  const elector = new LeaderElector({
    kubeConfig: ctx.kc,
    namespace: config.leaderElectionNamespace,
    name: config.leaderElectionId,
    identity: config.identity,
    ...leaseTimings(config.leaseDurationSeconds),
    onStartedLeading: async (leading) => {
      metrics.isLeader.set(1);
      log.info('became leader', { identity: config.identity });
      await lead(leading);
    },
    onStoppedLeading: () => {
      metrics.isLeader.set(0);
      log.info('stopped leading', { identity: config.identity });
    },
    onError: (err) => log.warn('lease request failed', { err }),
  });
  await elector.run(ctx.signal);
}
