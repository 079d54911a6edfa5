import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeOp, diffRoutingState } from './diff-routing-state.js';
import { emptyHtables, type DispatcherDestination, type RoutingState } from './routing-state.js';

const dest = (uri: string, patch: Partial<DispatcherDestination> = {}): DispatcherDestination => ({
  uri,
  state: 'active',
  priority: 0,
  attrs: `duid=${uri}`,
  ...patch,
});
const state = (
  sets: Record<number, DispatcherDestination[]>,
  dids: Record<string, string> = {},
): RoutingState => {
  const htables = emptyHtables();
  htables.dids = new Map(Object.entries(dids));
  return {
    sets: new Map(
      Object.entries(sets).map(([id, destinations]) => [
        Number(id),
        { id: Number(id), key: '', kind: 'pool', destinations },
      ]),
    ),
    htables,
  };
};

describe('diffRoutingState', () => {
  it('is empty when Kamailio holds the desired state', () => {
    const s = state({ 1: [dest('sip:a')] }, { '1001': '1' });
    assert.deepEqual(diffRoutingState(s, s), []);
  });

  it('adds before it points numbers at a set, and removes last', () => {
    const ops = diffRoutingState(
      state({ 2: [dest('sip:b')] }, { '1001': '2' }),
      state({ 1: [dest('sip:a')] }, { '1001': '1' }),
    );
    assert.deepEqual(
      ops.map((o) => o.op),
      ['dispatcher.add', 'htable.sets', 'dispatcher.remove'],
    );
  });

  it('drains with set_state d and re-enables with a', () => {
    const ops = diffRoutingState(
      state({ 1: [dest('sip:a', { state: 'disabled' })] }),
      state({ 1: [dest('sip:a')] }),
    );
    assert.deepEqual(ops, [{ op: 'dispatcher.set_state', set: 1, uri: 'sip:a', state: 'd' }]);
    const back = diffRoutingState(
      state({ 1: [dest('sip:a')] }),
      state({ 1: [dest('sip:a', { state: 'disabled' })] }),
    );
    assert.deepEqual(back, [{ op: 'dispatcher.set_state', set: 1, uri: 'sip:a', state: 'a' }]);
  });

  it('replaces a destination whose attributes changed: remove first, then add', () => {
    const ops = diffRoutingState(
      state({ 1: [dest('sip:a', { attrs: 'duid=x;maxload=9' })] }),
      state({ 1: [dest('sip:a')] }),
    );
    assert.deepEqual(
      ops.map((o) => o.op),
      ['dispatcher.remove', 'dispatcher.add'],
    );
  });

  it('never describes an htable value (credentials live there)', () => {
    const desired = state({});
    const creds = new Map([['1:pass', 'secret-password']]);
    desired.htables.creds = creds;
    const [op] = diffRoutingState(desired, state({}));
    assert.ok(op);
    assert.doesNotMatch(JSON.stringify(describeOp(op)), /secret-password/);
  });
});
