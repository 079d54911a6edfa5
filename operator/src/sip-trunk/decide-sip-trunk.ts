// decideSipTrunk: the pure core of the SipTrunk reconcile. Checks that the outbound credentials
// Secret exists and holds `username` and `password`, sets Ready, and initialises
// `status.gateways[]` (state Unknown) for gateways the status does not list yet. After that the
// edge sync (field manager voicefleet-edge) owns the gateway entries; this never rewrites them.
import {
  mergeConditions,
  pickConditions,
  sameConditions,
  type Condition,
} from '../runtime/conditions.js';
import type { EventSpec } from '../kube/events.js';
import type { JsonPatchOp } from '../kube/apply.js';
import type { SipTrunkObject } from '../resources.js';

export const TRUNK_CONDITION_TYPES = ['Ready'] as const;
export const REQUIRED_SECRET_KEYS = ['username', 'password'] as const;

export interface SipTrunkInput {
  trunk: SipTrunkObject;
  /** Key names of the referenced Secret, undefined when it does not exist (values never reach here). */
  secretKeys: readonly string[] | undefined;
  now: Date;
}

export interface SipTrunkStatusOut {
  observedGeneration: number;
  conditions: Condition[];
}

export interface SipTrunkDecision {
  status: SipTrunkStatusOut;
  statusChanged: boolean;
  /** JSON patch adding missing gateway entries; empty when every gateway is listed. */
  gatewayInit: JsonPatchOp[];
  events: EventSpec[];
}

export function decideSipTrunk(input: SipTrunkInput): SipTrunkDecision {
  const { trunk } = input;
  const g = trunk.metadata.generation ?? 0;
  const ns = trunk.metadata.namespace;
  const secretName = trunk.spec.outbound?.credentialsSecretRef?.name;
  const names = trunk.spec.gateways.map((gw) => gw.name);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);

  let ready: Omit<Condition, 'lastTransitionTime'>;
  if (duplicates.length > 0) {
    ready = notReady(
      'InvalidSpec',
      `gateway names must be unique; rename the duplicate ${[...new Set(duplicates)].join(', ')}`,
    );
  } else if (secretName !== undefined && input.secretKeys === undefined) {
    ready = notReady(
      'SecretNotFound',
      `Secret ${ns}/${secretName} does not exist; create it with keys username and password ` +
        `(kubectl -n ${ns} create secret generic ${secretName} --from-literal=username=... --from-literal=password=...)`,
    );
  } else if (secretName !== undefined) {
    const missing = REQUIRED_SECRET_KEYS.filter((k) => !(input.secretKeys ?? []).includes(k));
    ready =
      missing.length > 0
        ? notReady(
            'SecretKeyMissing',
            `Secret ${ns}/${secretName} has no key ${missing.join(' and ')}; add it`,
          )
        : {
            type: 'Ready',
            status: 'True',
            reason: 'Configured',
            message: 'gateways and credentials are valid',
          };
  } else {
    ready = {
      type: 'Ready',
      status: 'True',
      reason: 'Configured',
      message: 'gateways are valid (no outbound credentials)',
    };
  }
  ready = { ...ready, observedGeneration: g };

  const live = pickConditions(trunk.status?.conditions ?? [], TRUNK_CONDITION_TYPES);
  const conditions = mergeConditions(live, [ready], input.now);
  const status: SipTrunkStatusOut = { observedGeneration: g, conditions };
  const statusChanged = trunk.status?.observedGeneration !== g || !sameConditions(live, conditions);
  const prev = live.find((c) => c.type === 'Ready');
  const events: EventSpec[] =
    prev?.status === ready.status && prev.reason === ready.reason
      ? []
      : [
          ready.status === 'True'
            ? { type: 'Normal', reason: 'Ready', message: ready.message }
            : { type: 'Warning', reason: ready.reason, message: ready.message },
        ];
  return {
    status,
    statusChanged,
    gatewayInit: gatewayInitPatch(trunk, [...new Set(names)]),
    events,
  };
}

function notReady(reason: string, message: string) {
  return { type: 'Ready', status: 'False' as const, reason, message };
}

function gatewayInitPatch(trunk: SipTrunkObject, names: readonly string[]): JsonPatchOp[] {
  const listed = trunk.status?.gateways;
  if (listed === undefined) {
    return [
      {
        op: 'add',
        path: '/status/gateways',
        value: names.map((name) => ({ name, state: 'Unknown' })),
      },
      { op: 'add', path: '/status/gatewaysUp', value: `0/${names.length}` },
    ];
  }
  return names
    .filter((name) => !listed.some((gw) => gw.name === name))
    .map((name) => ({
      op: 'add' as const,
      path: '/status/gateways/-',
      value: { name, state: 'Unknown' },
    }));
}
