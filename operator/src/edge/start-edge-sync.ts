// startEdgeSync: the edge sync in a cluster. Informers on VoiceAgents, SipTrunks, the media
// pools' EndpointSlices and Pods (drain annotation) feed desiredRoutingState; set ids persist in a
// ConfigMap before Kamailio sees them; one EdgeWriter per Kamailio (static list or discovered edge
// pods) is kept in sync by an EdgeSyncLoop; gateway health and RoutingPublished go back into
// status with field manager `voicefleet-edge`. Run it only on the leader.
import { setMaxListeners } from 'node:events';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1EndpointSlice,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  GROUP,
  SIP_TRUNK_PLURAL,
  VERSION,
  VOICE_AGENT_PLURAL,
  applySipTrunkDefaults,
  applyVoiceAgentDefaults,
  type SipTrunk,
  type VoiceAgent,
} from '@voicefleet/api';
import { createApplier } from '../kube/apply.js';
import { createEventRecorder } from '../kube/events.js';
import { Informer } from '../kube/informer.js';
import { kubeListWatcher } from '../kube/informer-source.js';
import { createLogger, type Logger } from '../runtime/log.js';
import { createOperatorMetrics, type OperatorMetrics } from '../runtime/metrics.js';
import type { DestinationHealth } from './actual-state.js';
import { desiredRoutingState, type DesiredRouting } from './desired-routing-state.js';
import { AGENT_LABEL, DRAINING_ANNOTATION, type TrunkCredentials } from './edge-inputs.js';
import { EdgeWriter } from './edge-writer.js';
import { KamailioRpcClient, type KamailioEndpoint } from './rpc-client.js';
import { emptyHtables, type RoutingState } from './routing-state.js';
import { EdgeSyncLoop } from './sync-loop.js';
import { createEdgeMetrics } from './edge-metrics.js';
import { publishEdgeStatus } from './publish-status.js';
import { loadSetIds, saveSetIds, type ConfigMapRef } from '../kube/set-ids-store.js';
import { refreshCredentials } from './trunk-credentials.js';
import { coalesce } from './coalesce.js';

export const EDGE_FIELD_MANAGER = 'voicefleet-edge';
export const MEDIA_NODE_SELECTOR = 'app.kubernetes.io/name=voicefleet-media-node';

export interface EdgeSyncOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; all when omitted. */
  namespace?: string;
  /** Kamailio instances by configuration. */
  kamailio?: readonly KamailioEndpoint[];
  /** Kamailio instances found as pods: `http://<podIP>:<port>/RPC` for each ready pod. */
  discover?: { namespace: string; labelSelector: string; port: number; token: string };
  region: string;
  peerEdges?: readonly string[];
  /** Where the set id assignment persists (default voicefleet-system/voicefleet-edge-sets). */
  setIdsConfigMap?: ConfigMapRef;
  /** Pod address -> address Kamailio reaches it at (see EdgeInputs.addressMap). */
  addressMap?: ReadonlyMap<string, string>;
  /** Pass interval per Kamailio (default 500 ms). */
  intervalMs?: number;
  metrics?: OperatorMetrics;
  log?: Logger;
  signal: AbortSignal;
}

export interface EdgeSync {
  /** Resolves after `signal` aborted and every informer and pass stopped. */
  done: Promise<void>;
  /** Recompute and publish now. */
  trigger(): void;
}

type Obj<T> = T & KubernetesObject;

export function startEdgeSync(options: EdgeSyncOptions): EdgeSync {
  // Each informer waits on the signal twice, plus the loop: more than Node's default of 10.
  setMaxListeners(64, options.signal);
  const kc = options.kubeConfig;
  const log = (options.log ?? createLogger()).child({ component: 'edge-sync' });
  const metrics = options.metrics ?? createOperatorMetrics({ defaultMetrics: false });
  const core = kc.makeApiClient(CoreV1Api);
  const ns = options.namespace !== undefined ? { namespace: options.namespace } : {};
  const agents = new Informer<Obj<VoiceAgent>>(
    kubeListWatcher(kc, { group: GROUP, version: VERSION, plural: VOICE_AGENT_PLURAL, ...ns }),
  );
  const trunks = new Informer<Obj<SipTrunk>>(
    kubeListWatcher(kc, { group: GROUP, version: VERSION, plural: SIP_TRUNK_PLURAL, ...ns }),
  );
  const slices = new Informer<V1EndpointSlice>(
    kubeListWatcher(kc, {
      group: 'discovery.k8s.io',
      version: 'v1',
      plural: 'endpointslices',
      labelSelector: AGENT_LABEL,
      ...ns,
    }),
  );
  const pods = new Informer<V1Pod>(
    kubeListWatcher(kc, {
      group: '',
      version: 'v1',
      plural: 'pods',
      labelSelector: MEDIA_NODE_SELECTOR,
      ...ns,
    }),
  );
  const edgePods =
    options.discover !== undefined
      ? new Informer<V1Pod>(
          kubeListWatcher(kc, {
            group: '',
            version: 'v1',
            plural: 'pods',
            namespace: options.discover.namespace,
            labelSelector: options.discover.labelSelector,
          }),
        )
      : undefined;
  const informers = [agents, trunks, slices, pods, ...(edgePods !== undefined ? [edgePods] : [])];
  const configMap = options.setIdsConfigMap ?? {
    namespace: 'voicefleet-system',
    name: 'voicefleet-edge-sets',
  };
  const applier = createApplier(kc, metrics, EDGE_FIELD_MANAGER);
  const events = createEventRecorder(kc, metrics, EDGE_FIELD_MANAGER);
  const edgeMetrics = createEdgeMetrics(metrics.registry);

  const staticWriters = (options.kamailio ?? []).map(
    (e) => new EdgeWriter(new KamailioRpcClient(e)),
  );
  const discovered = new Map<string, EdgeWriter>();
  const writers = (): EdgeWriter[] => {
    if (edgePods === undefined || options.discover === undefined) return staticWriters;
    const { port, token } = options.discover;
    const live = new Set<string>();
    for (const pod of edgePods.list()) {
      const ip = pod.status?.podIP;
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ip === undefined || ready !== true || pod.metadata?.deletionTimestamp !== undefined)
        continue;
      const key = `${pod.metadata?.name ?? ip}@${ip}`;
      live.add(key);
      if (!discovered.has(key)) {
        const rpcUrl = `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}/RPC`;
        discovered.set(
          key,
          new EdgeWriter(new KamailioRpcClient({ name: pod.metadata?.name ?? ip, rpcUrl, token })),
        );
      }
    }
    for (const key of discovered.keys()) if (!live.has(key)) discovered.delete(key);
    return [...staticWriters, ...discovered.values()];
  };

  let current: DesiredRouting | undefined;
  let setIds = new Map<string, number>();
  const credentials = new Map<string, TrunkCredentials>();
  const health = new Map<EdgeWriter, { ok: boolean; health: readonly DestinationHealth[] }>();
  const emptyState: RoutingState = { sets: new Map(), htables: emptyHtables() };
  let loop: EdgeSyncLoop | undefined;

  const recompute = coalesce(
    async () => {
      const agentList = agents.list().map((a) => applyVoiceAgentDefaults(a));
      const trunkList = trunks.list().map((t) => applySipTrunkDefaults(t));
      await refreshCredentials(core, trunkList, credentials, log);
      const drainMarks = new Set<string>();
      for (const pod of pods.list()) {
        if (pod.metadata?.annotations?.[DRAINING_ANNOTATION] === undefined) continue;
        drainMarks.add(`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`);
        if (pod.status?.podIP !== undefined) drainMarks.add(pod.status.podIP);
      }
      const desired = desiredRoutingState({
        agents: agentList,
        trunks: trunkList,
        endpointSlices: slices.list().map((s) => ({ ...s, endpoints: s.endpoints ?? [] })),
        drainMarks,
        credentials,
        region: { region: options.region, peerEdges: options.peerEdges ?? [] },
        setIds,
        ...(options.addressMap !== undefined ? { addressMap: options.addressMap } : {}),
      });
      if (desired.setIds.changed) {
        await saveSetIds(core, configMap, desired.setIds.assignment);
        setIds = desired.setIds.assignment;
      }
      current = desired;
      loop?.trigger();
    },
    (error) => log.error('edge routing recompute failed', { err: error }),
  );

  const publish = coalesce(
    async () => {
      if (current === undefined) return;
      await publishEdgeStatus({
        desired: current,
        agents: agents.list(),
        trunks: trunks.list().map((t) => applySipTrunkDefaults(t)),
        edges: [...health.values()],
        applier,
        events,
        now: new Date(),
      });
    },
    (error) => log.warn('edge status write failed', { err: error }),
  );

  let synced = false;
  const onChange = (): void => {
    if (synced) recompute();
  };
  const done = (async () => {
    for (const i of informers as Informer<KubernetesObject>[]) {
      i.on('add', onChange);
      i.on('update', onChange);
      i.on('delete', onChange);
    }
    const runs = informers.map((i) => i.run(options.signal));
    try {
      await Promise.all(informers.map((i) => i.waitForSync(options.signal)));
      setIds = await loadSetIds(core, configMap);
      // Only now: a recompute on half-listed caches with no persisted ids would publish (and
      // persist) a wrong state.
      synced = true;
      await recompute.now();
      loop = new EdgeSyncLoop({
        writers,
        intervalMs: options.intervalMs ?? 500,
        signal: options.signal,
        desired: () => current?.state ?? emptyState,
        onPass: (writer, outcome) => {
          edgeMetrics.pass(
            writer.name,
            outcome.ok ? 'ok' : 'error',
            outcome.ok ? outcome.result.applied : 0,
          );
          if (outcome.ok) {
            edgeMetrics.observe(writer.name, outcome.result.health);
            health.set(writer, { ok: true, health: outcome.result.health });
            if (outcome.result.restarted)
              log.warn('kamailio restarted; routing rewritten', { edge: writer.name });
            if (outcome.result.applied > 0)
              log.info('edge routing applied', { edge: writer.name, ops: outcome.result.applied });
          } else {
            health.set(writer, { ok: false, health: health.get(writer)?.health ?? [] });
            log.warn('edge sync pass failed', { edge: writer.name, err: outcome.error });
          }
          for (const w of health.keys()) if (!writers().includes(w)) health.delete(w);
          publish();
        },
      });
      await loop.done;
    } catch (error) {
      if (!options.signal.aborted) throw error;
    } finally {
      await Promise.allSettled(runs);
    }
  })();
  return { done, trigger: onChange };
}
