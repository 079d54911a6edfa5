import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { podProblem } from './pod-problems.js';

function pod(name: string, status: Partial<V1ContainerStatus>): V1Pod {
  return {
    metadata: { name, namespace: 'default' },
    status: {
      containerStatuses: [
        {
          name: 'media-node',
          image: 'voicefleet/media-node:0.1.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          ...status,
        },
      ],
    },
  };
}

const waiting = (reason: string, message?: string): Partial<V1ContainerStatus> => ({
  state: { waiting: { reason, ...(message !== undefined ? { message } : {}) } },
});

/** A pod the scheduler found no node for, as it reports it: Pending, PodScheduled=False. */
function unschedulable(name: string, message: string): V1Pod {
  return {
    metadata: { name, namespace: 'default' },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    },
  };
}

describe('podProblem', () => {
  const cases: { name: string; pods: V1Pod[]; reason?: string; says?: RegExp[] }[] = [
    {
      name: 'running pods are no problem',
      pods: [pod('a', { state: { running: {} }, ready: true })],
    },
    {
      name: 'a pod still being created is no problem',
      pods: [pod('a', waiting('ContainerCreating'))],
    },
    {
      name: 'an image that cannot be pulled names the image and what to fix',
      pods: [pod('a', waiting('ErrImagePull', 'pull access denied'))],
      reason: 'ImageNotPulled',
      says: [
        /"voicefleet\/media-node:0\.1\.0"/,
        /ErrImagePull: pull access denied/,
        /fix spec\.image/,
      ],
    },
    {
      name: 'ImagePullBackOff',
      pods: [pod('a', waiting('ImagePullBackOff'))],
      reason: 'ImageNotPulled',
    },
    {
      name: 'an invalid image name',
      pods: [pod('a', waiting('InvalidImageName'))],
      reason: 'ImageNotPulled',
    },
    {
      name: 'a Secret the pod cannot read: the kubelet message and what to fix',
      pods: [pod('a', waiting('CreateContainerConfigError', 'secret "openai" not found'))],
      reason: 'ContainerConfigError',
      says: [/secret "openai" not found/, /create the Secret or key/],
    },
    {
      name: 'a crash loop: exit code, restarts and where to look',
      pods: [
        pod('a', {
          ...waiting('CrashLoopBackOff', 'back-off 20s restarting failed container'),
          restartCount: 3,
          lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        }),
      ],
      reason: 'CrashLooping',
      says: [/exit code 1, Error/, /3 restarts/, /kubectl logs a --previous/],
    },
    {
      name: 'one restart of a running container is not a crash loop',
      pods: [
        pod('a', {
          state: { running: {} },
          restartCount: 1,
          lastState: { terminated: { exitCode: 137 } },
        }),
      ],
    },
    {
      name: 'a pod no node has room for quotes the scheduler and says what to change',
      pods: [unschedulable('a', '0/1 nodes are available: 1 Insufficient cpu.')],
      reason: 'Unschedulable',
      says: [
        /media pod a cannot be scheduled/,
        /Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu\./,
        /spec\.capacity\.callsPerPod or spec\.resources/,
        /add nodes or capacity to the cluster/,
      ],
    },
    {
      name: 'a scheduled pod not yet started is no problem',
      pods: [
        {
          metadata: { name: 'a' },
          status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
        },
      ],
    },
    {
      name: 'a crash loop comes before a pod that does not fit',
      pods: [
        unschedulable('a', '0/1 nodes are available: 1 Insufficient memory.'),
        pod('b', {
          ...waiting('CrashLoopBackOff'),
          restartCount: 2,
          lastState: { terminated: { exitCode: 1 } },
        }),
      ],
      reason: 'CrashLooping',
    },
    {
      name: 'the image problem comes first when pods differ',
      pods: [
        pod('a', {
          ...waiting('CrashLoopBackOff'),
          restartCount: 2,
          lastState: { terminated: { exitCode: 1 } },
        }),
        pod('b', waiting('ImagePullBackOff')),
      ],
      reason: 'ImageNotPulled',
      says: [/media pod b /],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = podProblem(c.pods);
      assert.equal(p?.reason, c.reason);
      for (const re of c.says ?? []) assert.match(p?.message ?? '', re);
    });
  }
});
