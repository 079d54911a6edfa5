// core/v1 Events for our custom resources, aggregated: the same (object, type, reason, message)
// within the window bumps `count` on the existing Event instead of creating a new one.
// Messages must not carry PII (numbers, transcripts) or secret values.
import { PatchStrategy, type KubeConfig } from '@kubernetes/client-node';
import { createKubeRest, namespacedPath, type KubeRest } from './kube-rest.js';
import { recordApiWrite } from '../runtime/api-writes.js';
import type { OperatorMetrics } from '../runtime/metrics.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

export type EventType = 'Normal' | 'Warning';

export interface EventSpec {
  type: EventType;
  reason: string;
  message: string;
}

export interface EventRecorder {
  record(target: EventTarget, event: EventSpec, now: Date): Promise<void>;
}

interface Seen {
  name: string;
  count: number;
  at: number;
}

const AGGREGATE_WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 2000;

export function createEventRecorder(
  kc: KubeConfig,
  metrics: OperatorMetrics,
  component = 'voicefleet-operator',
  rest: KubeRest = createKubeRest(kc),
): EventRecorder {
  const seen = new Map<string, Seen>();
  return {
    async record(target, event, now) {
      const key = `${target.uid}\u0000${event.type}\u0000${event.reason}\u0000${event.message}`;
      const previous = seen.get(key);
      const stamp = now.toISOString();
      try {
        if (previous !== undefined && now.getTime() - previous.at < AGGREGATE_WINDOW_MS) {
          previous.count += 1;
          previous.at = now.getTime();
          recordApiWrite(metrics, { verb: 'patch', kind: 'Event' });
          await rest.request(
            'PATCH',
            namespacedPath('v1', 'events', target.namespace, previous.name),
            { count: previous.count, lastTimestamp: stamp },
            PatchStrategy.MergePatch,
          );
          return;
        }
        recordApiWrite(metrics, { verb: 'create', kind: 'Event' });
        const created = (await rest.request(
          'POST',
          namespacedPath('v1', 'events', target.namespace),
          {
            metadata: { generateName: `${target.name}.`, namespace: target.namespace },
            involvedObject: {
              apiVersion: target.apiVersion,
              kind: target.kind,
              name: target.name,
              namespace: target.namespace,
              uid: target.uid,
            },
            type: event.type,
            reason: event.reason,
            message: event.message,
            count: 1,
            firstTimestamp: stamp,
            lastTimestamp: stamp,
            source: { component },
            reportingComponent: component,
            reportingInstance: component,
          },
        )) as { metadata?: { name?: string } } | undefined;
        seen.delete(key);
        seen.set(key, { name: created?.metadata?.name ?? '', count: 1, at: now.getTime() });
        if (seen.size > MAX_TRACKED) {
          const oldest = seen.keys().next().value;
          if (oldest !== undefined) seen.delete(oldest);
        }
      } catch (cause) {
        // An Event that cannot be written must not fail the reconcile that produced it.
        seen.delete(key);
        throw new Error('record event', { cause });
      }
    },
  };
}
