// voicefleet_pool_* : each media pool's calls, capacity, sizes and why its size is limited, as
// the operator last decided them, labelled namespace, agent and region (docs/observability.md).
// Series of an agent that is gone, or of a region it left, are removed.
import { Counter, Gauge, type Registry } from 'prom-client';
import { SCALE_LIMITS, type RegionStatus } from '@voicefleet/api';
import type { ScaleStep } from './decide-pool.js';

const POOL = ['namespace', 'agent', 'region'] as const;
type PoolLabels = Record<(typeof POOL)[number], string>;

export class PoolMetrics {
  readonly #activeCalls: Gauge<(typeof POOL)[number]>;
  readonly #drainingCalls: Gauge<(typeof POOL)[number]>;
  readonly #capacity: Gauge<(typeof POOL)[number]>;
  readonly #desired: Gauge<(typeof POOL)[number]>;
  readonly #ready: Gauge<(typeof POOL)[number]>;
  readonly #limited: Gauge<(typeof POOL)[number] | 'reason'>;
  readonly #scaled: Counter<(typeof POOL)[number] | 'direction'>;
  /** Regions with series, per agent key. */
  readonly #regions = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    const gauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: POOL, registers: [registry] });
    this.#activeCalls = gauge('voicefleet_pool_active_calls', 'Calls in progress on the pool’s media pods, draining ones included.');
    this.#drainingCalls = gauge('voicefleet_pool_draining_calls', 'Calls on the pool’s draining media pods (they finish there).');
    this.#capacity = gauge('voicefleet_pool_capacity_calls', 'Calls the pool’s ready media pods that are not draining can take.');
    this.#desired = gauge('voicefleet_pool_desired_replicas', 'Media pods the scaler wants (or the external scaler set).');
    this.#ready = gauge('voicefleet_pool_ready_replicas', 'Media pods ready to take calls.');
    this.#limited = new Gauge({
      name: 'voicefleet_pool_limited',
      help: 'Why the pool’s desired size differs from what its calls ask for: 1 for the reason that holds, no series when none does.',
      labelNames: [...POOL, 'reason'],
      registers: [registry],
    });
    this.#scaled = new Counter({
      name: 'voicefleet_pool_scale_events_total',
      help: 'Scale decisions the operator applied, by direction (up, down).',
      labelNames: [...POOL, 'direction'],
      registers: [registry],
    });
  } // prettier-ignore

  observe(agentKey: string, regions: readonly RegionStatus[], scaled: readonly ScaleStep[]): void {
    const [namespace = '', agent = ''] = agentKey.split('/');
    const seen = new Set<string>();
    for (const r of regions) {
      const labels: PoolLabels = { namespace, agent, region: r.name };
      seen.add(r.name);
      this.#activeCalls.set(labels, r.activeCalls);
      this.#drainingCalls.set(labels, r.drainingCalls ?? 0);
      this.#capacity.set(labels, r.capacity);
      this.#desired.set(labels, r.desiredReplicas);
      this.#ready.set(labels, r.readyReplicas);
      for (const reason of SCALE_LIMITS) {
        if (reason === r.limited) this.#limited.set({ ...labels, reason }, 1);
        else this.#limited.remove({ ...labels, reason });
      }
      for (const step of scaled) {
        if (step.region !== r.name) continue;
        this.#scaled.inc({ ...labels, direction: step.to > step.from ? 'up' : 'down' });
      }
    }
    for (const region of this.#regions.get(agentKey) ?? []) {
      if (!seen.has(region)) this.#remove({ namespace, agent, region });
    }
    this.#regions.set(agentKey, seen);
  }

  /** The agent is gone: its pools' series go too. */
  forget(agentKey: string): void {
    const [namespace = '', agent = ''] = agentKey.split('/');
    for (const region of this.#regions.get(agentKey) ?? [])
      this.#remove({ namespace, agent, region });
    this.#regions.delete(agentKey);
  }

  #remove(labels: PoolLabels): void {
    for (const g of [
      this.#activeCalls,
      this.#drainingCalls,
      this.#capacity,
      this.#desired,
      this.#ready,
    ])
      g.remove(labels);
    for (const reason of SCALE_LIMITS) this.#limited.remove({ ...labels, reason });
    for (const direction of ['up', 'down']) this.#scaled.remove({ ...labels, direction });
  }
}
