// Replicas of one media pool: enough pods for the active calls plus the warm buffer, clamped to
// the region's min/max. Pure (the Agones buffer policy, measured in calls instead of servers).
export interface PoolPolicy {
  callsPerPod: number;
  bufferCalls: number;
  minReplicas: number;
  maxReplicas: number;
}

export function poolReplicas(activeCalls: number, p: PoolPolicy): number {
  const perPod = Math.max(1, p.callsPerPod);
  const wanted = Math.ceil((Math.max(0, activeCalls) + Math.max(0, p.bufferCalls)) / perPod);
  return Math.min(p.maxReplicas, Math.max(p.minReplicas, wanted));
}
