// The operator process: configuration, kube client, metrics/health server, informers on every
// instance, controllers only on the elected leader, and a clean stop on SIGTERM/SIGINT.
// Run: node --import tsx operator/src/main.ts --regions us-east-1 [--kubeconfig PATH]
import type { KubeConfig } from '@kubernetes/client-node';
import type { Tracer } from '@opentelemetry/api';
import { startTracing } from '@voicefleet/api/telemetry';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ConfigError, parseConfig, type EdgeConfig, type OperatorConfig } from './config.js';
import { loadKubeConfig } from './kube/kube-config.js';
import { Manager, type ManagerEdgeOptions } from './manager/manager.js';
import { createLogger, type Logger } from './runtime/log.js';
import { createOperatorMetrics, type OperatorMetrics } from './runtime/metrics.js';
import { startOpsServer } from './runtime/ops-server.js';
import { onShutdownSignals } from './runtime/shutdown.js';
import { resolveEdgeService } from './kube/edge-service.js';
import { missingMonitoringCrds } from './kube/monitoring-crds.js';
import type { ManagedMonitoring } from './voice-agent/desired-monitoring.js';
import { runWhileLeader } from './leadership.js';

export async function runOperator(
  config: OperatorConfig,
  kc: KubeConfig,
  log: Logger,
  metrics: OperatorMetrics,
  signal: AbortSignal,
  /** A span per reconcile when given (OTEL_EXPORTER_OTLP_ENDPOINT set). */
  tracer?: Tracer,
): Promise<void> {
  // Every informer, queue and the elector listen on this signal.
  setMaxListeners(64, signal);
  const edgeUri =
    config.edgeService !== undefined
      ? await resolveEdgeService(kc, config.edgeService, { log, signal })
      : config.edgeUri;
  const monitoring = await monitoringToManage(config, kc, log);
  const manager = new Manager({
    kc,
    log,
    metrics,
    namespace: config.namespace,
    ownedRegions: config.regions,
    childOptions: {
      image: config.mediaNodeImage,
      multiRegionCluster: config.multiRegionCluster,
      edgeUri,
      ...(config.mediaNetworkPolicy !== undefined
        ? { networkPolicy: config.mediaNetworkPolicy }
        : {}),
      ...(config.mediaOtlpEndpoint !== undefined ? { otlpEndpoint: config.mediaOtlpEndpoint } : {}),
    },
    workers: config.workers,
    ...(config.edge !== undefined ? { edge: edgeOptions(config, config.edge) } : {}),
    ...(monitoring !== undefined ? { monitoring } : {}),
    ...(tracer !== undefined ? { tracer } : {}),
  });
  const ops = await startOpsServer({
    host: config.metricsHost,
    port: config.metricsPort,
    registry: metrics.registry,
    ready: () => manager.hasSynced(),
  });
  log.info('operator started', {
    metricsPort: ops.port,
    regions: config.regions,
    namespace: config.namespace ?? '(all)',
    identity: config.identity,
    edgeUri,
  });
  try {
    const informers = manager.runInformers(signal);
    const lead = async (leading: AbortSignal): Promise<void> => {
      setMaxListeners(64, leading);
      await manager.lead(leading);
    };
    const controllers = config.leaderElection
      ? runWhileLeader({ kc, config, log, metrics, signal }, lead)
      : lead(signal);
    await Promise.all([informers, controllers]);
  } finally {
    await ops.close();
    log.info('operator stopped');
  }
}

/**
 * The monitoring the manager manages per agent, when asked to: written only if the Prometheus
 * operator's CRDs exist; without them each agent's `Monitoring` condition says what is missing.
 */
async function monitoringToManage(
  config: OperatorConfig,
  kc: KubeConfig,
  log: Logger,
): Promise<ManagedMonitoring | undefined> {
  if (config.monitoring === undefined) return undefined;
  const missingCrds = await missingMonitoringCrds(kc);
  if (missingCrds.length > 0)
    log.warn('monitoring CRDs not installed: no PrometheusRules or PodMonitors are written', {
      missing: missingCrds,
    });
  return { ...config.monitoring, missingCrds };
}

/** The edge the manager programs: Kamailios by URL and by pod label, set ids kept at home. */
function edgeOptions(config: OperatorConfig, edge: EdgeConfig): ManagerEdgeOptions {
  return {
    kamailio: edge.endpoints.map((e, i) => ({
      name: `edge-${i}`,
      rpcUrl: e.rpcUrl,
      token: edge.token,
      region: e.region,
    })),
    discover: edge.discover === undefined ? undefined : { ...edge.discover, token: edge.token },
    peerEdges: edge.peerEdges,
    setIdsConfigMap: { namespace: config.operatorNamespace, name: edge.setIdsConfigMap },
  };
}

async function main(): Promise<void> {
  const log = createLogger({ component: 'operator' });
  let config: OperatorConfig;
  let kc: KubeConfig;
  try {
    config = parseConfig(process.argv.slice(2), process.env, hostname());
    kc = loadKubeConfig(config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`voicefleet operator: ${err.message}\n`);
    process.exit(2);
  }
  const shutdown = onShutdownSignals((sig) => log.info('shutting down', { signal: sig }));
  const tracing = await startTracing(process.env, 'voicefleet-operator', {
    'service.instance.id': config.identity,
  });
  try {
    await runOperator(
      config,
      kc,
      log,
      createOperatorMetrics(),
      shutdown.signal,
      tracing.enabled ? tracing.tracer : undefined,
    );
  } finally {
    // The last reconciles' spans leave before the process does.
    await tracing.shutdown();
  }
  shutdown.dispose();
  // Workers stopped and the lease is released: idle keep-alive sockets must not hold the exit.
  process.exit(0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    createLogger({ component: 'operator' }).error('operator crashed', { err });
    process.exit(1);
  });
}
