// The local fleet: the operator's reconcile core with a loopback runtime behind it. From the
// manifests it decides pools (renderMediaNodeConfig, decideNumberOwnership, planPools), sizes each
// from the calls its nodes report with the operator's pool scaler and load signal (scalePool,
// PodLoadTracker), runs them as media-node processes, and programs one Kamailio per region with
// the same pure routing decision and serialized writer the operator uses in a cluster. Invalid
// manifests never touch what runs: they only become problems in the status.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SipTrunk, VoiceAgent } from '@voicefleet/api';
import {
  AGENT_LABEL,
  REGION_LABEL,
  PodLoadTracker,
  agentKey,
  createLogger,
  decideNumberOwnership,
  desiredRoutingState,
  parseSetIds,
  serializeSetIds,
  type DestinationHealth,
  type EndpointSliceLike,
  type TrunkCredentials,
} from '@voicefleet/operator';
import { fleetSnapshot } from './fleet-snapshot.js';
import { freePort } from '../processes/free-port.js';
import { startLocalEdge, type LocalEdge } from './local-edge.js';
import { LocalMediaNode } from './local-media-node.js';
import { desiredLocalPools, nameOf, nsOf, regionsOf, type LocalPool } from './local-pools.js';
import { scaleLocalPool, type LocalPoolSize } from './local-scaling.js';
import type { ManifestFolder } from './manifest-folder.js';
import { planPools, type DesiredPool } from './pool-plan.js';
import type { FleetSnapshot } from './status-table.js';

export interface LocalFleetOptions {
  runDir: string;
  /** SIP port of the first region's edge; further regions take the next free ports. */
  sipPort: number;
  /** The longest a node may drain its calls locally, whatever its agent's drainTimeoutSeconds. */
  drainCapSeconds?: number;
  onLog?: (line: string) => void;
}

/** After the drain deadline: time for the nodes' BYEs and exit before they are killed. */
const DRAIN_GRACE_MS = 10_000;

export class LocalFleet {
  private manifests: ManifestFolder = { agents: [], trunks: [], secrets: [], problems: [] };
  private readonly nodes = new Map<string, LocalMediaNode>();
  private readonly edges = new Map<string, LocalEdge>();
  private health = new Map<string, DestinationHealth[]>();
  /** When each edge destination was first listed, by URI: its first probe takes a moment. */
  private readonly firstListedAt = new Map<string, number>();
  /** Problems by what they are about, so a repeating one replaces itself instead of piling up. */
  private readonly problems = new Map<string, string>();
  /** Pools whose nodes keep failing to start: when to try again (capped exponential backoff). */
  private readonly startFailures = new Map<string, { count: number; retryAt: number }>();
  /** Each pool's size and the scaler's memory, by pool key. */
  private readonly sizes = new Map<string, LocalPoolSize>();
  /** The calls each node reports, by node id: the operator's load signal. */
  private readonly loads = new PodLoadTracker({
    log: createLogger({ component: 'local-fleet' }, 'error'),
    onChange: (id) => this.loadChanged(id),
  });
  private reconcileQueued = false;
  private routing = 'not published';
  private chain: Promise<void> = Promise.resolve();
  private nextNode = 1;
  private stopped = false;

  constructor(private readonly options: LocalFleetOptions) {}

  /** Edge SIP addresses by region, first region first. */
  get edgeAddresses(): { region: string; sipUri: string; internalSipUri: string }[] {
    return [...this.edges.values()].map((e) => ({
      region: e.region,
      sipUri: e.sipUri,
      internalSipUri: e.internalSipUri,
    }));
  }

  get mediaNodes(): {
    id: string;
    poolKey: string;
    httpUrl: string;
    metricsUrl: string;
    phase: string;
    pid: number | undefined;
  }[] {
    return [...this.nodes.values()]
      .filter((n) => !n.exited)
      .map((n) => ({
        id: n.spec.id,
        poolKey: n.spec.poolKey,
        httpUrl: n.httpUrl,
        metricsUrl: n.metricsUrl,
        phase: n.phase,
        pid: n.pid,
      }));
  }

  /**
   * Takes a new reading of the folder and says what became of it: `invalid` keeps the running
   * fleet as it is, `unchanged` when the folder says what the fleet already runs.
   */
  async apply(folder: ManifestFolder): Promise<'applied' | 'unchanged' | 'invalid'> {
    this.problems.clear();
    if (folder.problems.length > 0) {
      folder.problems.forEach((p, i) => this.problems.set(`manifest ${i}`, p));
      this.problems.set(
        'manifests',
        'the running fleet is unchanged until the manifests are valid',
      );
      return 'invalid';
    }
    const same = JSON.stringify(folder) === JSON.stringify(this.manifests);
    this.manifests = folder;
    await this.reconcile();
    return same ? 'unchanged' : 'applied';
  }

  /** One serialized reconcile pass; safe to call as often as anything changes. */
  reconcile(): Promise<void> {
    const run = this.chain.then(() => this.reconcileNow());
    this.chain = run.catch((error: unknown) => {
      this.problems.set('reconcile', `reconcile failed: ${describe(error)}`);
    });
    return this.chain;
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopped) return;
    // Edges first: a node's config names its region's edge, so that edge must have an address.
    await this.ensureEdges(regionsOf(this.manifests.agents));
    const pools = this.desiredPools();
    for (const [id, node] of this.nodes) {
      if (node.exited && (node.phase === 'draining' || node.phase === 'failed')) {
        this.nodes.delete(id);
        this.loads.untrack(id);
      }
    }
    const sized = this.sizePools(pools);
    const plan = planPools(
      sized,
      [...this.nodes.values()].map((n) => ({
        id: n.spec.id,
        poolKey: n.spec.poolKey,
        configHash: n.spec.configHash,
        phase: n.phase,
        activeCalls: n.load.activeCalls,
      })),
    );
    const now = Date.now();
    const due = plan.start.filter(
      ({ poolKey }) => (this.startFailures.get(poolKey)?.retryAt ?? 0) <= now,
    );
    await Promise.all(
      due.map(async ({ poolKey }) => {
        const pool = pools.find((p) => p.key === poolKey);
        if (pool === undefined) return;
        try {
          await this.startNode(pool);
          this.startFailures.delete(poolKey);
          this.problems.delete(`pool ${poolKey}`);
        } catch (error) {
          const count = (this.startFailures.get(poolKey)?.count ?? 0) + 1;
          const delayMs = Math.min(30_000, 1000 * 2 ** (count - 1));
          this.startFailures.set(poolKey, { count, retryAt: Date.now() + delayMs });
          this.problems.set(
            `pool ${poolKey}`,
            `${describe(error)} (retrying in ${delayMs / 1000} s)`,
          );
          setTimeout(() => void this.reconcile(), delayMs).unref();
        }
      }),
    );
    // Drain: the edge stops sending new calls first, then the node is told to finish and exit.
    for (const id of plan.drain) {
      const node = this.nodes.get(id);
      if (node !== undefined) node.phase = 'draining';
    }
    await this.publishRouting(pools);
    await Promise.all(plan.drain.map((id) => this.nodes.get(id)?.drain() ?? Promise.resolve()));
    if (due.length > 0 || plan.drain.length > 0) this.chainFollowUp();
  }

  /** Each pool's size from its nodes' calls, as the operator sizes a Deployment. */
  private sizePools(pools: readonly LocalPool[]): DesiredPool[] {
    const now = new Date();
    for (const key of this.sizes.keys()) {
      if (!pools.some((p) => p.key === key)) this.sizes.delete(key);
    }
    return pools.map((pool) => {
      const nodes = [...this.nodes.values()]
        .filter((n) => n.spec.poolKey === pool.key && !n.exited)
        .map((n) => ({ phase: n.phase, load: this.loads.load(n.spec.id) }));
      const previous = this.sizes.get(pool.key);
      const scale = scaleLocalPool(pool.policy, nodes, previous, now);
      this.sizes.set(pool.key, { replicas: scale.replicas, history: scale.history });
      if (previous !== undefined && previous.replicas !== scale.replicas) {
        this.log(
          `pool ${pool.key}: ${previous.replicas} -> ${scale.replicas} media nodes (${scale.reason})`,
        );
      }
      if (scale.requeueAfterMs !== undefined) {
        setTimeout(() => this.reconcileSoon(), scale.requeueAfterMs + 50).unref();
      }
      return { key: pool.key, configHash: pool.configHash, replicas: scale.replicas };
    });
  }

  private loadChanged(id: string): void {
    const node = this.nodes.get(id);
    const load = this.loads.load(id);
    if (node !== undefined && load !== undefined) node.load = load;
    this.reconcileSoon();
  }

  /** One reconcile for a burst of changes (calls starting or ending together). */
  private reconcileSoon(): void {
    if (this.reconcileQueued || this.stopped) return;
    this.reconcileQueued = true;
    setTimeout(() => {
      this.reconcileQueued = false;
      void this.reconcile();
    }, 20).unref();
  }

  /** Replacements that became ready may let old nodes drain: look again shortly. */
  private chainFollowUp(): void {
    setTimeout(() => void this.reconcile(), 500).unref();
  }

  private desiredPools(): LocalPool[] {
    const { pools, problems } = desiredLocalPools({
      manifests: this.manifests,
      // media nodes send their outbound calls to their edge's internal port (docs/edge.md)
      edges: new Map([...this.edges.values()].map((e) => [e.region, e.internalSipUri])),
      ...(this.options.drainCapSeconds !== undefined
        ? { drainCapSeconds: this.options.drainCapSeconds }
        : {}),
    });
    for (const [about, problem] of problems) this.problems.set(about, problem);
    return pools;
  }

  private async ensureEdges(regions: readonly string[]): Promise<void> {
    for (const region of regions) {
      if (this.edges.has(region)) continue;
      const sip = this.edges.size === 0 ? this.options.sipPort : await freePort();
      const edge = await startLocalEdge(
        region,
        { sip, internalSip: await freePort(), control: await freePort() },
        this.options.runDir,
      );
      this.edges.set(region, edge);
      this.log(`edge for region ${region} listening on ${edge.sipUri}`);
    }
  }

  private async startNode(pool: LocalPool): Promise<void> {
    const id = `${nameOf(pool.agent)}-${pool.region}-${this.nextNode++}`;
    const rtpMin = 20000 + ((this.nextNode * 200) % 20000);
    const node = new LocalMediaNode({
      id,
      poolKey: pool.key,
      configHash: pool.configHash,
      config: pool.config,
      secretEnv: pool.secretEnv,
      drainSeconds: pool.drainSeconds,
      ports: {
        sip: await freePort(),
        http: await freePort(),
        metrics: await freePort(),
        rtpMin,
        rtpMax: rtpMin + 198,
      },
      onExit: (gone) => {
        if (this.stopped) return;
        if (gone.phase === 'failed') this.log(`media node ${id} exited; starting a replacement`);
        void this.reconcile();
      },
    });
    this.nodes.set(id, node);
    await node.start(this.options.runDir);
    if (!node.exited) this.loads.trackOne({ key: id, url: node.httpUrl });
    this.log(`media node ${id} ready (sip 127.0.0.1:${node.sipPort})`);
  }

  private endpointSlices(): EndpointSliceLike[] {
    return [...this.nodes.values()]
      .filter((n) => n.phase === 'ready' || n.phase === 'draining')
      .map((n) => {
        const [namespace, agent, region] = n.spec.poolKey.split('/');
        return {
          metadata: {
            name: n.spec.id,
            namespace: namespace ?? 'default',
            labels: { [AGENT_LABEL]: agent ?? '', [REGION_LABEL]: region ?? '' },
          },
          endpoints: [
            {
              addresses: ['127.0.0.1'],
              conditions: {
                ready: n.phase === 'ready',
                serving: true,
                terminating: n.phase === 'draining',
              },
              targetRef: { kind: 'Pod', name: n.spec.id, namespace: namespace ?? 'default' },
            },
          ],
          ports: [{ name: 'sip', port: n.sipPort, protocol: 'UDP' }],
        };
      });
  }

  private credentials(): Map<string, TrunkCredentials> {
    const out = new Map<string, TrunkCredentials>();
    for (const trunk of this.manifests.trunks) {
      const ref = trunk.spec.outbound?.credentialsSecretRef;
      if (ref === undefined) continue;
      const secret = this.manifests.secrets.find(
        (s) => s.namespace === nsOf(trunk) && s.name === ref.name,
      );
      const { username, password, realm } = secret?.data ?? {};
      if (username === undefined || password === undefined) {
        this.problems.set(
          `trunk ${nsOf(trunk)}/${nameOf(trunk)}`,
          `${nsOf(trunk)}/${nameOf(trunk)}: Secret ${ref.name} needs keys username and password`,
        );
        continue;
      }
      out.set(`${nsOf(trunk)}/${nameOf(trunk)}`, {
        username,
        password,
        ...(realm ? { realm } : {}),
      });
    }
    return out;
  }

  /** Agents as the edge should route them: a number held by an older agent is left out. */
  private routedAgents(): VoiceAgent[] {
    const agents = this.manifests.agents;
    const ownership = decideNumberOwnership(
      agents.map((a) => ({
        namespace: nsOf(a),
        name: nameOf(a),
        creationTimestamp: new Date(0).toISOString(),
        numbers: a.spec.numbers,
      })),
    );
    return agents.map((a) => {
      const lost = new Set(
        (ownership.lost.get(agentKey({ namespace: nsOf(a), name: nameOf(a) })) ?? []).map(
          (l) => l.number,
        ),
      );
      return lost.size === 0
        ? a
        : { ...a, spec: { ...a.spec, numbers: a.spec.numbers.filter((n) => !lost.has(n)) } };
    });
  }

  private async publishRouting(pools: readonly LocalPool[]): Promise<void> {
    const setIdsFile = join(this.options.runDir, 'set-ids.json');
    const previous = parseSetIds(await readFile(setIdsFile, 'utf8').catch(() => undefined));
    const agents = this.routedAgents();
    const trunks: SipTrunk[] = this.manifests.trunks;
    const endpointSlices = this.endpointSlices();
    const credentials = this.credentials();
    const failures: string[] = [];
    let assignment = previous;
    for (const edge of this.edges.values()) {
      const peers = [...this.edges.values()]
        .filter((e) => e !== edge)
        .map((e) => `127.0.0.1:${e.sipPort}`);
      const desired = desiredRoutingState({
        agents,
        trunks,
        endpointSlices,
        drainMarks: new Set(),
        credentials,
        region: { region: edge.region, peerEdges: peers },
        setIds: assignment,
      });
      assignment = desired.setIds.assignment;
      try {
        const result = await edge.writer.sync(desired.state);
        this.noteHealth(edge.region, result.health);
      } catch (error) {
        failures.push(`${edge.region}: ${describe(error)}`);
      }
    }
    await writeFile(setIdsFile, serializeSetIds(assignment));
    this.routing =
      failures.length === 0
        ? `published (${pools.length} pools)`
        : `failed: ${failures.join('; ')}`;
  }

  private noteHealth(region: string, health: DestinationHealth[]): void {
    this.health.set(region, health);
    const now = Date.now();
    for (const d of health) if (!this.firstListedAt.has(d.uri)) this.firstListedAt.set(d.uri, now);
  }

  /** Reads loads and edge health for the status table (no changes to anything). */
  async snapshot(): Promise<FleetSnapshot> {
    for (const edge of this.edges.values()) {
      this.noteHealth(
        edge.region,
        await edge.writer.health().catch(() => this.health.get(edge.region) ?? []),
      );
    }
    const firstEdge = [...this.edges.values()][0];
    return fleetSnapshot({
      agents: this.manifests.agents,
      trunks: this.manifests.trunks,
      nodes: [...this.nodes.values()].map((n) => ({
        poolKey: n.spec.poolKey,
        phase: n.phase,
        exited: n.exited,
        load: n.load,
      })),
      desired: new Map([...this.sizes].map(([key, size]) => [key, size.replicas])),
      gatewayHealth: firstEdge ? (this.health.get(firstEdge.region) ?? []) : [],
      firstListedAtMs: this.firstListedAt,
      nowMs: Date.now(),
      edge: {
        sipUri: firstEdge?.sipUri ?? `sip:127.0.0.1:${this.options.sipPort}`,
        state:
          firstEdge === undefined
            ? 'starting'
            : firstEdge.process.isRunning()
              ? 'running'
              : 'exited',
        routing: this.routing,
      },
      problems: [...this.problems.values()],
    });
  }

  /** Calls up on the nodes right now, and the longest any of them may drain (seconds). */
  get drainOutlook(): { activeCalls: number; deadlineSeconds: number } {
    const live = [...this.nodes.values()].filter((n) => !n.exited);
    return {
      activeCalls: live.reduce((sum, n) => sum + n.load.activeCalls, 0),
      deadlineSeconds: Math.max(0, ...live.map((n) => n.spec.drainSeconds)),
    };
  }

  /**
   * Drains every node as a cluster would on SIGTERM: the node refuses new calls, lets its calls
   * finish for its agent's drainTimeoutSeconds (capped by `drainCapSeconds`) and then ends the rest
   * with BYE. Nodes still up well past that are killed; then the edges stop.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
    this.loads.stop();
    const nodes = [...this.nodes.values()].filter((n) => !n.exited);
    const deadlineMs = Math.max(0, ...nodes.map((n) => n.spec.drainSeconds)) * 1000;
    await Promise.all(nodes.map((n) => n.drain()));
    // A timer that holds the process up: the supervised children do not (they are unref'd).
    const grace = new AbortController();
    await Promise.race([
      Promise.all(nodes.map((n) => n.waitForExit())),
      sleep(deadlineMs + DRAIN_GRACE_MS, undefined, { signal: grace.signal }).catch(
        () => undefined,
      ),
    ]);
    grace.abort();
    await this.stopNow();
  }

  /** Stops every process at once (SIGTERM, then SIGKILL): calls still up are cut without BYE. */
  async stopNow(): Promise<void> {
    this.stopped = true;
    this.loads.stop();
    await Promise.all([...this.nodes.values()].map((n) => n.stop(2000)));
    await Promise.all([...this.edges.values()].map((e) => e.process.stop()));
  }

  private log(line: string): void {
    this.options.onLog?.(line);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
