// Who answers a phone number claimed by more than one VoiceAgent: the oldest claim
// (creationTimestamp, then namespace/name) keeps it; every newer claimant loses that number and
// reports a NumberConflict naming the holder. Pure: the same agents always give the same answer.

export interface NumberClaimant {
  namespace: string;
  name: string;
  creationTimestamp: string;
  numbers: readonly string[];
}

export interface LostNumber {
  number: string;
  /** `namespace/name` of the agent that keeps the number. */
  heldBy: string;
}

export interface NumberOwnership {
  /** number -> `namespace/name` of the agent that answers it. */
  owners: Map<string, string>;
  /** `namespace/name` -> numbers that agent claims but another, older agent holds. */
  lost: Map<string, LostNumber[]>;
}

/** `metadata.creationTimestamp` as ISO text (clients hand it over as a Date); missing = the epoch. */
export function creationTime(metadata: { creationTimestamp?: string | Date }): string {
  const t = metadata.creationTimestamp;
  if (t === undefined) return new Date(0).toISOString();
  return typeof t === 'string' ? t : t.toISOString();
}

export function agentKey(a: { namespace: string; name: string }): string {
  return `${a.namespace}/${a.name}`;
}

function older(a: NumberClaimant, b: NumberClaimant): number {
  const ta = Date.parse(a.creationTimestamp);
  const tb = Date.parse(b.creationTimestamp);
  if (ta !== tb) return ta - tb;
  const ka = agentKey(a);
  const kb = agentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function decideNumberOwnership(agents: readonly NumberClaimant[]): NumberOwnership {
  const owners = new Map<string, string>();
  const lost = new Map<string, LostNumber[]>();
  for (const agent of [...agents].sort(older)) {
    const key = agentKey(agent);
    for (const number of new Set(agent.numbers)) {
      const holder = owners.get(number);
      if (holder === undefined) {
        owners.set(number, key);
      } else if (holder !== key) {
        const list = lost.get(key) ?? [];
        list.push({ number, heldBy: holder });
        lost.set(key, list);
      }
    }
  }
  return { owners, lost };
}

/** Agents (other than `self`) that claim any of `numbers`: they are re-decided when `self` changes. */
export function agentsSharingNumbers(
  agents: readonly NumberClaimant[],
  numbers: readonly string[],
  self: string,
): string[] {
  const wanted = new Set(numbers);
  return agents
    .filter((a) => agentKey(a) !== self && a.numbers.some((n) => wanted.has(n)))
    .map((a) => agentKey(a));
}
