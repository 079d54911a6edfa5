// Where status and Events of our own custom resources go: the status subresource and the object
// an Event is about, for a VoiceAgent or a SipTrunk as read from the cache.
import {
  API_VERSION,
  GROUP,
  SIP_TRUNK_KIND,
  SIP_TRUNK_PLURAL,
  VERSION,
  VOICE_AGENT_KIND,
  VOICE_AGENT_PLURAL,
} from '@voicefleet/api';
import type { Logger } from '../runtime/log.js';
import type { StatusTarget } from './apply.js';
import type { EventRecorder, EventSpec, EventTarget } from './events.js';

export type CustomKind = typeof VOICE_AGENT_KIND | typeof SIP_TRUNK_KIND;

const PLURAL: Record<CustomKind, string> = {
  [VOICE_AGENT_KIND]: VOICE_AGENT_PLURAL,
  [SIP_TRUNK_KIND]: SIP_TRUNK_PLURAL,
};

interface Meta {
  metadata: { name: string; namespace: string; uid: string };
}

export function statusTargetOf(kind: CustomKind, obj: Meta): StatusTarget {
  const { namespace, name } = obj.metadata;
  return { group: GROUP, version: VERSION, plural: PLURAL[kind], kind, namespace, name };
}

export function eventTargetOf(kind: CustomKind, obj: Meta): EventTarget {
  const { namespace, name, uid } = obj.metadata;
  return { apiVersion: API_VERSION, kind, namespace, name, uid };
}

/** Records each Event; one that cannot be written is logged and does not fail the reconcile. */
export async function recordEvents(
  recorder: EventRecorder,
  target: EventTarget,
  events: readonly EventSpec[],
  now: Date,
  log: Logger,
): Promise<void> {
  for (const event of events) {
    await recorder.record(target, event, now).catch((err: unknown) => {
      log.warn('event not recorded', {
        kind: target.kind,
        key: `${target.namespace}/${target.name}`,
        reason: event.reason,
        err,
      });
    });
  }
}
