// Media pods as the scaler sees them: where a pod's status stream is, and the pod with its
// reported load as a MediaPod. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { DELETION_COST_ANNOTATION } from './pod-deletion-cost.js';
import type { PodLoad, PodTarget } from './pod-load-tracker.js';
import type { MediaPod } from './pool-load.js';

/** The media node's HTTP port when its container does not name one `http`. */
const DEFAULT_HTTP_PORT = 8080;

export interface PodLoads {
  load(podKey: string): PodLoad | undefined;
}

export const podKey = (pod: V1Pod): string =>
  `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/** Where to follow a pod's status, once it has an address and runs; undefined before and after. */
export function statusTarget(pod: V1Pod): PodTarget | undefined {
  const ip = pod.status?.podIP;
  const phase = pod.status?.phase;
  if (ip === undefined || ip === '' || (phase !== 'Running' && phase !== 'Pending'))
    return undefined;
  const port =
    pod.spec?.containers
      .flatMap((c) => c.ports ?? [])
      .find((p) => p.name === 'http' && (p.protocol ?? 'TCP') === 'TCP')?.containerPort ??
    DEFAULT_HTTP_PORT;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return { key: podKey(pod), url: `http://${host}:${port}` };
}

export function mediaPod(pod: V1Pod, loads: PodLoads): MediaPod {
  const key = podKey(pod);
  const cost = Number(pod.metadata?.annotations?.[DELETION_COST_ANNOTATION] ?? 0);
  return {
    key,
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    terminating: pod.metadata?.deletionTimestamp !== undefined,
    deletionCost: Number.isFinite(cost) ? cost : 0,
    load: loads.load(key),
  };
}
