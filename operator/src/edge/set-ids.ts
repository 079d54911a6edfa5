// Stable dispatcher set ids: a persisted assignment key -> id. Existing keys keep their id for as
// long as they exist; new keys take the lowest free id. Restarts of Kamailio or of the operator
// read the same assignment back, so ids never move under live calls.

export type SetIdAssignment = ReadonlyMap<string, number>;

export interface AssignResult {
  assignment: Map<string, number>;
  /** True when the assignment differs from `previous` and must be persisted. */
  changed: boolean;
}

/** First id handed out; ids are small positive integers. */
export const FIRST_SET_ID = 1;

/**
 * Assigns ids to `keys`: keys already in `previous` keep their id, unused keys are dropped, new
 * keys (in sorted order, so the result does not depend on input order) take the lowest free ids.
 */
export function assignSetIds(keys: Iterable<string>, previous: SetIdAssignment): AssignResult {
  const wanted = [...new Set(keys)].sort();
  const assignment = new Map<string, number>();
  const used = new Set<number>();
  for (const key of wanted) {
    const id = previous.get(key);
    if (id !== undefined && !used.has(id)) {
      assignment.set(key, id);
      used.add(id);
    }
  }
  let next = FIRST_SET_ID;
  for (const key of wanted) {
    if (assignment.has(key)) continue;
    while (used.has(next)) next += 1;
    assignment.set(key, next);
    used.add(next);
  }
  const changed =
    assignment.size !== previous.size ||
    [...assignment].some(([key, id]) => previous.get(key) !== id);
  return { assignment, changed };
}

/** Parses a persisted assignment (`{"pool/ns/a/r": 3}`); malformed entries are skipped. */
export function parseSetIds(json: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (json === undefined || json === '') return out;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return out;
  }
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, id] of Object.entries(value as Record<string, unknown>)) {
    if (typeof id === 'number' && Number.isInteger(id) && id >= FIRST_SET_ID) out.set(key, id);
  }
  return out;
}

export function serializeSetIds(assignment: SetIdAssignment): string {
  return JSON.stringify(Object.fromEntries([...assignment].sort(([a], [b]) => a.localeCompare(b))));
}
