// What the local fleet must do to its media-node processes so that every (agent, region) pool
// runs the desired config with the desired number of nodes. Pure: the running processes and the
// desired pools go in, start/drain actions come out. A config change rolls a pool: replacements
// start first and the old nodes drain only once enough new ones are ready, so no call is refused.
// A smaller pool drains the nodes with the fewest calls.

export interface DesiredPool {
  /** `namespace/agent/region` */
  key: string;
  replicas: number;
  /** Hash of the rendered MediaNodeConfig: a different hash means different nodes. */
  configHash: string;
}

export type NodePhase = 'starting' | 'ready' | 'draining' | 'failed';

export interface RunningNode {
  id: string;
  poolKey: string;
  configHash: string;
  phase: NodePhase;
  /** Calls it reports (unknown: none assumed). */
  activeCalls?: number;
}

export interface PoolPlan {
  /** Nodes to start: one entry per node. */
  start: { poolKey: string; configHash: string }[];
  /** Nodes to mark draining at the edge and then tell to drain. */
  drain: string[];
}

export function planPools(
  desired: readonly DesiredPool[],
  running: readonly RunningNode[],
): PoolPlan {
  const plan: PoolPlan = { start: [], drain: [] };
  const desiredKeys = new Set(desired.map((p) => p.key));
  const live = running.filter((n) => n.phase !== 'draining' && n.phase !== 'failed');

  for (const node of live) {
    if (!desiredKeys.has(node.poolKey)) plan.drain.push(node.id);
  }
  for (const pool of desired) {
    const mine = live.filter((n) => n.poolKey === pool.key);
    const current = mine.filter((n) => n.configHash === pool.configHash);
    const stale = mine.filter((n) => n.configHash !== pool.configHash);
    const missing = pool.replicas - current.length;
    for (let i = 0; i < missing; i++) {
      plan.start.push({ poolKey: pool.key, configHash: pool.configHash });
    }
    const readyCurrent = current.filter((n) => n.phase === 'ready').length;
    // Old nodes leave once the new config serves at full strength; surplus nodes leave at once.
    if (readyCurrent >= pool.replicas) {
      plan.drain.push(...stale.map((n) => n.id));
      const busiestFirst = current
        .filter((n) => n.phase === 'ready')
        .sort((a, b) => (b.activeCalls ?? 0) - (a.activeCalls ?? 0));
      const surplus = busiestFirst.slice(pool.replicas);
      plan.drain.push(...surplus.map((n) => n.id));
    }
  }
  return plan;
}
