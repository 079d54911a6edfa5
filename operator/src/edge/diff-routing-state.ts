// diffRoutingState: the RPC operations that turn `actual` into `desired`. Pure. Operations come in
// a safe order: destinations first (so numbers never point at a set that is not there yet), then
// state changes, htable writes and deletes, and destination removals last.
import type { DispatcherDestination, HtableName, RoutingState } from './routing-state.js';
import { HTABLES } from './routing-state.js';

export type EdgeOp =
  | { op: 'dispatcher.add'; set: number; dest: DispatcherDestination }
  | { op: 'dispatcher.set_state'; set: number; uri: string; state: 'a' | 'd' }
  | { op: 'dispatcher.remove'; set: number; uri: string }
  | { op: 'htable.sets'; table: HtableName; key: string; value: string }
  | { op: 'htable.delete'; table: HtableName; key: string };

/** Destination identity inside a set: the URI without its parameters' order mattering. */
export function sameDestination(a: DispatcherDestination, b: DispatcherDestination): boolean {
  return a.uri === b.uri && a.priority === b.priority && a.attrs === b.attrs;
}

export function diffRoutingState(desired: RoutingState, actual: RoutingState): EdgeOp[] {
  const adds: EdgeOp[] = [];
  const states: EdgeOp[] = [];
  const removes: EdgeOp[] = [];
  const setIds = new Set([...desired.sets.keys(), ...actual.sets.keys()]);
  for (const id of [...setIds].sort((a, b) => a - b)) {
    const want = desired.sets.get(id)?.destinations ?? [];
    const have = actual.sets.get(id)?.destinations ?? [];
    for (const d of want) {
      const h = have.find((x) => x.uri === d.uri);
      if (h === undefined || !sameDestination(d, h)) {
        if (h !== undefined) removes.unshift({ op: 'dispatcher.remove', set: id, uri: h.uri });
        adds.push({ op: 'dispatcher.add', set: id, dest: d });
        continue;
      }
      if (d.state !== h.state) {
        states.push({
          op: 'dispatcher.set_state',
          set: id,
          uri: d.uri,
          state: d.state === 'disabled' ? 'd' : 'a',
        });
      }
    }
    for (const h of have) {
      if (!want.some((d) => d.uri === h.uri))
        removes.push({ op: 'dispatcher.remove', set: id, uri: h.uri });
    }
  }
  // A changed destination is removed and added again: removal must come first for it.
  const replaced = removes.filter(
    (r) =>
      r.op === 'dispatcher.remove' &&
      adds.some((a) => a.op === 'dispatcher.add' && a.set === r.set && a.dest.uri === r.uri),
  );
  const plainRemoves = removes.filter((r) => !replaced.includes(r));

  const sets: EdgeOp[] = [];
  const deletes: EdgeOp[] = [];
  for (const table of HTABLES) {
    const want = desired.htables[table];
    const have = actual.htables[table];
    for (const [key, value] of [...want].sort(([a], [b]) => a.localeCompare(b))) {
      if (have.get(key) !== value) sets.push({ op: 'htable.sets', table, key, value });
    }
    for (const key of [...have.keys()].sort()) {
      if (!want.has(key)) deletes.push({ op: 'htable.delete', table, key });
    }
  }
  return [...replaced, ...adds, ...states, ...sets, ...deletes, ...plainRemoves];
}

/** A description safe to log: never an htable value (credentials live there). */
export function describeOp(op: EdgeOp): Record<string, unknown> {
  switch (op.op) {
    case 'dispatcher.add':
      return { op: op.op, set: op.set, uri: op.dest.uri, state: op.dest.state };
    case 'dispatcher.set_state':
      return { op: op.op, set: op.set, uri: op.uri, state: op.state };
    case 'dispatcher.remove':
      return { op: op.op, set: op.set, uri: op.uri };
    case 'htable.sets':
    case 'htable.delete':
      return { op: op.op, table: op.table };
  }
}
