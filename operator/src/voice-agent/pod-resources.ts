// The media-node container's resources: what the agent asks for, and for every quantity it leaves
// out, a size from its calls per pod and the measured cost of a call.
import { canonicalQuantity, quantityValue, type PodResources } from '@voicefleet/api';
import type { V1ResourceRequirements } from '@kubernetes/client-node';

/**
 * What one media node costs with the full agent loop, as `npm run bench:media` measures it (one
 * process on one core; `footprint` in bench/results/media.json fits it over the passing steps).
 * These come from the run of 2026-12-07 at 50, 100 and 200 calls: 0.61, 0.85 and 0.93 cores (the
 * last one saturated), 319, 337 and 391 MiB resident.
 */
export const MEDIA_NODE_COST = {
  cpuMillicoresAtZeroCalls: 370,
  cpuMillicoresPerCall: 4.8,
  memoryMiBAtZeroCalls: 300,
  memoryMiBPerCall: 0.5,
} as const;

/** Memory limit over the expected use: room for a burst of call set-ups and the garbage collector. */
const MEMORY_LIMIT_HEADROOM = 1.5;
/** The /tmp emptyDir's sizeLimit (the recogniser's grammar files), plus the container's logs. */
const EPHEMERAL_STORAGE_REQUEST = '128Mi';

const mebibytes = (bytes: number): number => bytes / 2 ** 20;

/**
 * Requests and limits of the media-node container. Left out, CPU is requested for `callsPerPod`
 * calls with no limit (a CPU limit throttles the 20 ms pacing), and memory is requested for
 * `callsPerPod` calls with a limit of 1.5 times that. A quantity the agent gives wins; a default
 * never contradicts it (a default request is lowered to the agent's limit, a default limit raised
 * to its request), since the API server refuses a pod whose request is above its limit.
 */
export function mediaPodResources(
  callsPerPod: number,
  asked: PodResources | undefined,
): V1ResourceRequirements {
  const c = MEDIA_NODE_COST;
  const cpuMillicores = Math.ceil(
    c.cpuMillicoresAtZeroCalls + c.cpuMillicoresPerCall * callsPerPod,
  );
  const memoryMiB = Math.ceil(c.memoryMiBAtZeroCalls + c.memoryMiBPerCall * callsPerPod);
  const limitMiB = Math.ceil(memoryMiB * MEMORY_LIMIT_HEADROOM);

  const cpuLimit = asked?.limits?.cpu;
  const cpuRequest =
    asked?.requests?.cpu ??
    (cpuLimit !== undefined && quantityValue(cpuLimit) * 1000 < cpuMillicores
      ? cpuLimit
      : `${cpuMillicores}m`);
  const memoryRequestAsked = asked?.requests?.memory;
  const memoryLimitAsked = asked?.limits?.memory;
  const memoryRequest =
    memoryRequestAsked ??
    (memoryLimitAsked !== undefined && mebibytes(quantityValue(memoryLimitAsked)) < memoryMiB
      ? memoryLimitAsked
      : `${memoryMiB}Mi`);
  const memoryLimit =
    memoryLimitAsked ??
    (mebibytes(quantityValue(memoryRequest)) > limitMiB ? memoryRequest : `${limitMiB}Mi`);

  // in the API server's own form, so what is read back compares equal to what was written
  const q = canonicalQuantity;
  return {
    requests: {
      cpu: q(cpuRequest),
      memory: q(memoryRequest),
      'ephemeral-storage': EPHEMERAL_STORAGE_REQUEST,
    },
    limits: { ...(cpuLimit !== undefined ? { cpu: q(cpuLimit) } : {}), memory: q(memoryLimit) },
  };
}
