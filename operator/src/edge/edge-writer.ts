// EdgeWriter: the single, serialized writer of one Kamailio's routing state. Every call goes
// through one promise chain (concurrent RPC writers crash Kamailio 5.6). A sync reads the actual
// state, applies the difference, retries changes rate limited by `reload_delta`, and verifies by
// reading back. A restarted Kamailio holds nothing: the next sync finds everything missing and
// writes it all again (the restart is also reported, from `core.uptime`).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseDispatcherList,
  parseHtableDump,
  routingStateOf,
  withProbeState,
  type DestinationHealth,
  type ParsedList,
} from './actual-state.js';
import { describeOp, diffRoutingState, type EdgeOp } from './diff-routing-state.js';
import { KamailioRpcError, type KamailioRpcClient } from './rpc-client.js';
import { HTABLES, type Htables, type RoutingState } from './routing-state.js';

/** Dispatcher destination flags (`dispatcher.add`). */
const DS_DISABLED = 4;
const DS_PROBING = 8;

export interface SyncResult {
  /** Operations applied in this pass (0 when Kamailio already held the desired state). */
  applied: number;
  /** True when Kamailio restarted since the previous pass. */
  restarted: boolean;
  health: DestinationHealth[];
}

export class EdgeVerificationError extends Error {
  constructor(readonly remaining: number) {
    super(`edge state differs after applying: ${remaining} operations still pending`);
    this.name = 'EdgeVerificationError';
  }
}

export interface EdgeWriterOptions {
  /** How long to wait before retrying a change refused with "Ongoing reload" (default 1100 ms). */
  reloadRetryMs?: number;
  /** Give up on one change after this many "Ongoing reload" answers (default 10). */
  reloadRetries?: number;
  onOp?: (op: Record<string, unknown>) => void;
}

export class EdgeWriter {
  private chain: Promise<unknown> = Promise.resolve();
  private upSince: string | undefined;

  constructor(
    readonly client: KamailioRpcClient,
    private readonly options: EdgeWriterOptions = {},
  ) {}

  get name(): string {
    return this.client.endpoint.name;
  }

  /** Brings Kamailio to `desired` and verifies it. Serialized with every other call of this writer. */
  sync(desired: RoutingState): Promise<SyncResult> {
    return this.serialize(() => this.syncNow(desired));
  }

  /** Reads destination health only (one `dispatcher.list`). */
  health(): Promise<DestinationHealth[]> {
    return this.serialize(async () => (await this.readList()).health);
  }

  /** Reads the whole routing state Kamailio holds. */
  read(): Promise<RoutingState> {
    return this.serialize(async () => (await this.readAll()).state);
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async syncNow(desired: RoutingState): Promise<SyncResult> {
    const restarted = await this.checkRestart();
    const before = await this.readAll();
    const ops = diffRoutingState(desired, before.state);
    for (const op of ops) await this.applyWithRetry(op);
    if (ops.length === 0) return { applied: 0, restarted, health: before.health };
    const after = await this.readAll();
    const remaining = diffRoutingState(desired, after.state);
    if (remaining.length > 0) throw new EdgeVerificationError(remaining.length);
    return { applied: ops.length, restarted, health: after.health };
  }

  private async checkRestart(): Promise<boolean> {
    const uptime = await this.client.call<{ up_since?: string }>('core.uptime');
    const upSince = uptime.up_since;
    const restarted = this.upSince !== undefined && upSince !== this.upSince;
    this.upSince = upSince;
    return restarted;
  }

  private async applyWithRetry(op: EdgeOp): Promise<void> {
    const retries = this.options.reloadRetries ?? 10;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.apply(op);
        this.options.onOp?.(describeOp(op));
        return;
      } catch (error) {
        if (error instanceof KamailioRpcError && error.ongoingReload && attempt < retries) {
          await sleep(this.options.reloadRetryMs ?? 1100);
          continue;
        }
        throw new Error(`edge ${this.name}: ${op.op} failed`, { cause: error });
      }
    }
  }

  private async apply(op: EdgeOp): Promise<void> {
    switch (op.op) {
      case 'dispatcher.add':
        await this.client.call(op.op, [
          op.set,
          op.dest.uri,
          (op.dest.state === 'disabled' ? DS_DISABLED : 0) |
            (op.dest.probing === true ? DS_PROBING : 0),
          op.dest.priority,
          op.dest.attrs,
        ]);
        return;
      case 'dispatcher.set_state':
        await this.client.call(op.op, [op.state === 'd' ? 'd' : 'ap', op.set, op.uri]);
        return;
      case 'dispatcher.remove':
        await this.client.call(op.op, [op.set, op.uri]);
        return;
      case 'htable.sets':
        await this.client.call(op.op, [op.table, op.key, op.value]);
        return;
      case 'htable.delete':
        await this.client.call(op.op, [op.table, op.key]);
        return;
    }
  }

  private async readList(): Promise<ParsedList> {
    let list: ParsedList;
    try {
      list = parseDispatcherList(await this.client.call('dispatcher.list'));
    } catch (error) {
      if (error instanceof KamailioRpcError && /no destination sets/i.test(error.message)) {
        return { sets: new Map(), health: [] };
      }
      throw error;
    }
    const probeState = parseHtableDump(await this.client.call('htable.dump', ['probestate']));
    return { ...list, health: withProbeState(list.health, probeState) };
  }

  private async readAll(): Promise<{ state: RoutingState; health: DestinationHealth[] }> {
    const list = await this.readList();
    const tables: Partial<Htables> = {};
    for (const name of HTABLES) {
      tables[name] = parseHtableDump(await this.client.call('htable.dump', [name]));
    }
    return { state: routingStateOf(list, tables), health: list.health };
  }
}
