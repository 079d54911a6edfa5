// decideSipTrunk: the pure core of the SipTrunk reconcile. Checks the spec (what admission would
// reject) and that the outbound credentials Secret exists and holds `username` and `password`,
// sets Ready, and lists one `status.gateways[]` entry per spec gateway by name only. The CRD
// defaults a new entry's `state` to Unknown; the edge sync (field manager voicefleet-edge) owns
// every other field of the entries, so this controller never overwrites what the edge observed.
import type { FieldError, SipTrunk } from '@voicefleet/api';
import type { Stored } from '../kube/stored.js';
import {
  mergeConditions,
  pickConditions,
  sameConditions,
  type Condition,
  type ConditionInput,
} from '../runtime/conditions.js';
import type { EventSpec } from '../kube/events.js';

export const TRUNK_CONDITION_TYPES = ['Ready'] as const;
export const REQUIRED_SECRET_KEYS = ['username', 'password'] as const;

export interface SipTrunkInput {
  /** The trunk with every schema default filled in. */
  trunk: Stored<SipTrunk>;
  /** What admission would have rejected in the trunk (none on a server with the CRD's rules). */
  specErrors: readonly FieldError[];
  /** Key names of the referenced Secret, undefined when it does not exist (values never reach here). */
  secretKeys: readonly string[] | undefined;
  now: Date;
}

export interface SipTrunkStatusOut {
  observedGeneration: number;
  conditions: Condition[];
  /** The gateways of the spec, by name: the entries this controller keeps listed. */
  gateways: { name: string }[];
}

export interface SipTrunkDecision {
  status: SipTrunkStatusOut;
  statusChanged: boolean;
  events: EventSpec[];
}

export function decideSipTrunk(input: SipTrunkInput): SipTrunkDecision {
  const { trunk } = input;
  const g = trunk.metadata.generation ?? 0;
  const ready: ConditionInput = { ...readyCondition(input), observedGeneration: g };
  const live = pickConditions(trunk.status?.conditions ?? [], TRUNK_CONDITION_TYPES);
  const conditions = mergeConditions(live, [ready], input.now);
  const names =
    input.specErrors.length > 0 ? [] : [...new Set(trunk.spec.gateways.map((gw) => gw.name))];
  const status: SipTrunkStatusOut = {
    observedGeneration: g,
    conditions,
    gateways: names.map((name) => ({ name })),
  };
  const listed = new Set((trunk.status?.gateways ?? []).map((gw) => gw.name));
  const statusChanged =
    trunk.status?.observedGeneration !== g ||
    !sameConditions(live, conditions) ||
    names.some((name) => !listed.has(name));
  const prev = live.find((c) => c.type === 'Ready');
  const events: EventSpec[] =
    prev?.status === ready.status && prev.reason === ready.reason
      ? []
      : [
          ready.status === 'True'
            ? { type: 'Normal', reason: 'Ready', message: ready.message }
            : { type: 'Warning', reason: ready.reason, message: ready.message },
        ];
  return { status, statusChanged, events };
}

function readyCondition(input: SipTrunkInput): ConditionInput {
  const { trunk } = input;
  const ns = trunk.metadata.namespace;
  if (input.specErrors.length > 0) {
    const fix = input.specErrors.map((e) =>
      e.path === '' ? e.message : `${e.path}: ${e.message}`,
    );
    return notReady('InvalidSpec', `fix the spec: ${fix.join('; ')}`);
  }
  const secretName = trunk.spec.outbound?.credentialsSecretRef?.name;
  if (secretName === undefined) {
    return ok('gateways are valid (no outbound credentials)');
  }
  if (input.secretKeys === undefined) {
    return notReady(
      'SecretNotFound',
      `Secret ${ns}/${secretName} does not exist; create it with keys username and password ` +
        `(kubectl -n ${ns} create secret generic ${secretName} --from-literal=username=... --from-literal=password=...)`,
    );
  }
  const missing = REQUIRED_SECRET_KEYS.filter((k) => !(input.secretKeys ?? []).includes(k));
  return missing.length > 0
    ? notReady(
        'SecretKeyMissing',
        `Secret ${ns}/${secretName} has no key ${missing.join(' and ')}; add it`,
      )
    : ok('gateways and credentials are valid');
}

function ok(message: string): ConditionInput {
  return { type: 'Ready', status: 'True', reason: 'Configured', message };
}

function notReady(reason: string, message: string): ConditionInput {
  return { type: 'Ready', status: 'False', reason, message };
}
