// Why a media pool's pods are not running, read from the pods' statuses as the kubelet and the
// scheduler report them: an image that cannot be pulled, a container that cannot be created (a
// Secret or key its env names is missing or unreadable), a container that keeps crashing, a pod
// no node has room for. Pure: the controller hands in the pool's pods from the manager's cache.
// Each problem says what to fix.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export interface PodProblem {
  reason:
    | 'ImageNotPulled'
    | 'ContainerConfigError'
    | 'CrashLooping'
    | 'ContainerNotCreated'
    | 'Unschedulable';
  message: string;
}

const IMAGE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
]);
const CONFIG_REASONS = new Set(['CreateContainerConfigError']);
const CREATE_REASONS = new Set(['CreateContainerError', 'RunContainerError']);
/** A container that exited this often and is not running is crash-looping (the kubelet's back-off). */
const CRASH_RESTARTS = 2;

/**
 * The first problem of the pool (image before configuration before crashes before scheduling: a
 * pod that cannot run would not run on a bigger cluster either), or undefined.
 */
export function podProblem(pods: readonly V1Pod[]): PodProblem | undefined {
  const found = pods.flatMap((pod) =>
    [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
      .map((c) => problemOf(pod, c))
      .concat(schedulingProblemOf(pod))
      .filter((p) => p !== undefined),
  );
  const order: PodProblem['reason'][] = [
    'ImageNotPulled',
    'ContainerConfigError',
    'ContainerNotCreated',
    'CrashLooping',
    'Unschedulable',
  ];
  return found.sort((a, b) => order.indexOf(a.reason) - order.indexOf(b.reason))[0];
}

function problemOf(pod: V1Pod, c: V1ContainerStatus): PodProblem | undefined {
  const name = `${pod.metadata?.name ?? ''}`;
  const waiting = c.state?.waiting;
  const said =
    waiting?.message !== undefined && waiting.message !== '' ? `: ${waiting.message}` : '';
  if (waiting?.reason !== undefined && IMAGE_REASONS.has(waiting.reason)) {
    return {
      reason: 'ImageNotPulled',
      message:
        `media pod ${name} cannot get image "${c.image}" (${waiting.reason}${said}); ` +
        "fix spec.image (or the operator's media-node image) or make it pullable (registry, imagePullSecrets)",
    };
  }
  if (waiting?.reason !== undefined && CONFIG_REASONS.has(waiting.reason)) {
    return {
      reason: 'ContainerConfigError',
      message:
        `media pod ${name} cannot start its container (${waiting.reason}${said}); ` +
        'create the Secret or key it names in its namespace, or fix the reference in the spec',
    };
  }
  if (waiting?.reason !== undefined && CREATE_REASONS.has(waiting.reason)) {
    return {
      reason: 'ContainerNotCreated',
      message: `media pod ${name} cannot create its container (${waiting.reason}${said}); check the image and \`kubectl describe pod ${name}\``,
    };
  }
  const last = c.lastState?.terminated;
  const backingOff = waiting?.reason === 'CrashLoopBackOff';
  if (
    last !== undefined &&
    (backingOff || (c.state?.running === undefined && c.restartCount >= CRASH_RESTARTS))
  ) {
    return {
      reason: 'CrashLooping',
      message:
        `media pod ${name} keeps crashing (exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''}, ` +
        `${c.restartCount} restarts); see \`kubectl logs ${name} --previous\` and check spec.image and the pipeline`,
    };
  }
  return undefined;
}

/** The scheduler's verdict on a pod it found no node for (`PodScheduled=False`, `Unschedulable`). */
function schedulingProblemOf(pod: V1Pod): PodProblem | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined;
  const name = pod.metadata?.name ?? '';
  const said =
    scheduled.message !== undefined && scheduled.message !== '' ? `: ${scheduled.message}` : '';
  return {
    reason: 'Unschedulable',
    message:
      `media pod ${name} cannot be scheduled (Unschedulable${said}); ` +
      'lower spec.capacity.callsPerPod or spec.resources so a pod fits a node, ' +
      'or add nodes or capacity to the cluster (or free what other pods request)',
  };
}
