// The edge sync: keeps every Kamailio of the owned regions at the desired routing and reports
// what the edges see back into status. It runs on the manager's caches, on the leader only, once
// they have synced. One work queue with two keys: `routing` (anything the routing depends on
// changed) and `status` (after a round of edge passes); the EdgeSyncLoop passes each edge on a
// new routing and every `intervalMs`, which also refills an edge that restarted.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Tracer } from '@opentelemetry/api';
import { createApplier } from '../kube/apply.js';
import { configMapValue } from '../kube/config-map-value.js';
import { createEventRecorder } from '../kube/events.js';
import type { Logger } from '../runtime/log.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { tracedReconcile } from '../runtime/traced-reconcile.js';
import { WorkQueue, type KeyHandler, type WorkQueueHooks } from '../runtime/work-queue.js';
import type { EdgeObservation } from './decide-edge-status.js';
import type { EdgeRouting } from './desired-edge-routing.js';
import { EdgeFleet, type EdgeDiscovery, type RegionalEndpoint } from './edge-fleet.js';
import { createEdgeMetrics } from './edge-metrics.js';
import type { EdgeWriter } from './edge-writer.js';
import type { EdgeCaches } from './gather-edge-inputs.js';
import { EdgeRoutingController } from './routing-controller.js';
import { EdgeStatusController } from './status-controller.js';
import { EdgeSyncLoop, type PassOutcome } from './sync-loop.js';

export const EDGE_FIELD_MANAGER = 'voicefleet-edge';
const ROUTING = 'routing';
const STATUS = 'status';

export interface EdgeSyncOptions {
  kc: KubeConfig;
  caches: EdgeCaches;
  /** Regions this operator owns: each region's edges get that region's pools. */
  regions: readonly string[];
  /** Edges of peer regions (`sip:host:port`), lower-priority targets of every owned region. */
  peerEdges: readonly string[];
  /** Edges given by URL. */
  kamailio: readonly RegionalEndpoint[];
  /** Edges found as pods. */
  discover?: EdgeDiscovery;
  /** Where the set-id assignment persists: a ConfigMap in the operator's own namespace. */
  setIdsConfigMap: { namespace: string; name: string };
  /** Pod address -> address Kamailio reaches it at (see EdgeInputs.addressMap). */
  addressMap?: ReadonlyMap<string, string>;
  /** Pass interval per edge (default 500 ms). */
  intervalMs?: number;
  metrics: OperatorMetrics;
  log: Logger;
  queueHooks?: WorkQueueHooks;
  /** A span per reconcile (`reconcile EdgeSync`, named `routing` or `status`) when given. */
  tracer?: Tracer;
}

export class EdgeSync {
  private routing: EdgeRouting | undefined;
  private readonly observed = new Map<EdgeWriter, EdgeObservation>();
  private readonly fleet: EdgeFleet;
  private readonly queue: WorkQueue;
  private readonly routingController: EdgeRoutingController;
  private readonly statusController: EdgeStatusController;
  private readonly log: Logger;
  private loop: EdgeSyncLoop | undefined;

  constructor(private readonly o: EdgeSyncOptions) {
    this.log = o.log.child({ component: 'edge-sync' });
    this.fleet = new EdgeFleet(o.kamailio, o.regions, o.discover);
    this.queue = new WorkQueue({ workers: 2, ...(o.queueHooks ? { hooks: o.queueHooks } : {}) });
    this.routingController = new EdgeRoutingController({
      caches: o.caches,
      regions: o.regions.map((region) => ({ region, peerEdges: o.peerEdges })),
      setIds: configMapValue(
        o.kc,
        { ...o.setIdsConfigMap, key: 'setIds' },
        EDGE_FIELD_MANAGER,
        o.metrics,
      ),
      ...(o.addressMap !== undefined ? { addressMap: o.addressMap } : {}),
      onRouting: (routing) => {
        this.routing = routing;
        this.loop?.trigger();
        this.queue.add(STATUS);
      },
    });
    this.statusController = new EdgeStatusController({
      caches: o.caches,
      routing: () => this.routing,
      edges: () => this.reports(),
      applier: createApplier(o.kc, o.metrics, EDGE_FIELD_MANAGER),
      events: createEventRecorder(o.kc, o.metrics, EDGE_FIELD_MANAGER),
      log: this.log,
      now: () => new Date(),
    });
  }

  /** Something the routing depends on changed: decide it again. */
  routingChanged(): void {
    this.queue.add(ROUTING);
  }

  /** Edges came or went: pass them now. */
  edgesChanged(): void {
    this.loop?.trigger();
  }

  /** Runs until `signal` aborts. Call only with synced caches. */
  async run(signal: AbortSignal): Promise<void> {
    const metrics = createEdgeMetrics(this.o.metrics.registry);
    this.queue.add(ROUTING);
    this.loop = new EdgeSyncLoop({
      writers: () => this.fleet.writers(),
      intervalMs: this.o.intervalMs ?? 500,
      signal,
      desired: (writer) => this.routing?.byRegion.get(this.fleet.regionOf(writer) ?? '')?.state,
      onPass: (writer, outcome) => {
        metrics.pass(
          writer.name,
          outcome.ok ? 'ok' : 'error',
          outcome.ok ? outcome.result.applied : 0,
        );
        if (outcome.ok) metrics.observe(writer.name, outcome.result.health);
        this.observe(writer, outcome);
        this.queue.add(STATUS);
      },
    });
    const handler: KeyHandler = (key) =>
      key === ROUTING ? this.routingController.reconcile() : this.statusController.reconcile();
    const { tracer } = this.o;
    await Promise.all([
      this.queue.run(
        tracer === undefined
          ? handler
          : tracedReconcile(tracer, (key) => ({ kind: 'EdgeSync', name: key }), handler),
        signal,
      ),
      this.loop.done,
    ]);
  }

  /** Each current edge's last report; undefined while one has not reported yet. */
  private reports(): EdgeObservation[] | undefined {
    const reports: EdgeObservation[] = [];
    for (const writer of this.fleet.writers()) {
      const report = this.observed.get(writer);
      if (report === undefined) return undefined;
      reports.push(report);
    }
    return reports;
  }

  private observe(writer: EdgeWriter, outcome: PassOutcome): void {
    if (outcome.ok) {
      this.observed.set(writer, { ok: true, health: outcome.result.health });
      if (outcome.result.restarted)
        this.log.warn('kamailio restarted; routing rewritten', { edge: writer.name });
      if (outcome.result.applied > 0)
        this.log.info('edge routing applied', { edge: writer.name, ops: outcome.result.applied });
    } else {
      this.observed.set(writer, { ok: false, health: this.observed.get(writer)?.health ?? [] });
      this.log.warn('edge sync pass failed', { edge: writer.name, err: outcome.error });
    }
    const current = new Set(this.fleet.writers());
    for (const w of this.observed.keys()) if (!current.has(w)) this.observed.delete(w);
  }
}
