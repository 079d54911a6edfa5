// What a VoiceAgent refers to by name and the operator can check but admission cannot: the
// SipTrunks it calls out through and the Secrets holding its providers' API keys and its
// webhooks' signing keys. Pure: the controller gathers which of them exist from its caches.
import type { VoiceAgent } from '@voicefleet/api';

export interface ReferenceProblem {
  reason: 'TrunkNotFound' | 'SecretNotFound' | 'SecretKeyMissing';
  message: string;
}

export interface AgentReferences {
  /** SipTrunk name (in the agent's namespace) -> whether it exists. */
  trunks: ReadonlyMap<string, boolean>;
  /** SipTrunk name -> its Ready condition as its controller wrote it (absent: not read yet). */
  trunkReady?: ReadonlyMap<string, { status: string; reason: string; message: string } | undefined>;
  /** Secret name -> its key names, or undefined when the Secret does not exist. */
  secrets: ReadonlyMap<string, readonly string[] | undefined>;
}

const STAGES = ['stt', 'tts', 'llm'] as const;

/**
 * Secrets the agent names: the pipeline's `apiKeySecretRef`s and each webhook's signing key, each
 * with the field that names it.
 */
export function secretReferences(
  spec: VoiceAgent['spec'],
): { field: string; name: string; key: string }[] {
  const stages = STAGES.flatMap((stage) => {
    const ref = spec.pipeline[stage].apiKeySecretRef;
    return ref === undefined
      ? []
      : [{ field: `spec.pipeline.${stage}.apiKeySecretRef`, name: ref.name, key: ref.key }];
  });
  const webhooks = (spec.events?.webhooks ?? []).map((w, i) => ({
    field: `spec.events.webhooks[${i}].secretRef`,
    name: w.secretRef.name,
    key: w.secretRef.key,
  }));
  return [...stages, ...webhooks];
}

/** Every reference that does not resolve, each with what to do about it. */
export function referenceProblems(
  agent: { metadata: { namespace: string }; spec: VoiceAgent['spec'] },
  refs: AgentReferences,
): ReferenceProblem[] {
  const ns = agent.metadata.namespace;
  const problems: ReferenceProblem[] = [];
  for (const { field, name, key } of secretReferences(agent.spec)) {
    const keys = refs.secrets.get(name);
    if (keys === undefined) {
      problems.push({
        reason: 'SecretNotFound',
        message:
          `Secret ${ns}/${name} named by ${field} does not exist; ` +
          `create it with key ${key} (kubectl -n ${ns} create secret generic ${name} --from-literal=${key}=...)`,
      });
    } else if (!keys.includes(key)) {
      problems.push({
        reason: 'SecretKeyMissing',
        message: `Secret ${ns}/${name} has no key ${key} (${field}); add it or name the right key`,
      });
    }
  }
  const missing = agent.spec.trunks.filter((t) => refs.trunks.get(t) !== true);
  if (missing.length > 0) {
    problems.push({
      reason: 'TrunkNotFound',
      message:
        `SipTrunk ${missing.join(', ')} in spec.trunks does not exist in namespace ${ns}; ` +
        'create it or remove it from spec.trunks (outbound calls cannot use it)',
    });
  }
  return problems;
}

/** Trunk Ready reasons that mean its outbound credentials cannot be read. */
const TRUNK_SECRET_REASONS = new Set(['SecretNotFound', 'SecretKeyMissing']);

/**
 * The agent's trunks whose credentials Secret cannot be read (the trunk's own Ready condition
 * says so): outbound calls through them would be refused by the carrier. Inbound calls still work,
 * so these degrade the agent rather than make it unready.
 */
export function trunkSecretProblems(
  agent: { spec: VoiceAgent['spec'] },
  refs: AgentReferences,
): { reason: 'TrunkSecretUnreadable'; message: string }[] {
  return agent.spec.trunks.flatMap((t) => {
    const ready = refs.trunkReady?.get(t);
    if (ready === undefined || ready.status !== 'False' || !TRUNK_SECRET_REASONS.has(ready.reason))
      return [];
    return [
      {
        reason: 'TrunkSecretUnreadable' as const,
        message: `outbound calls through SipTrunk ${t} cannot authenticate: ${ready.message}`,
      },
    ];
  });
}
