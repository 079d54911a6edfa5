/**
 * Assembles one media-node process from its config: metrics, call events, the SIP endpoint, the
 * RTP thread and its sessions, the providers and agent sessions (parts.ts), the MediaNode core, the
 * HTTP control server and the metrics listener.
 */
import type { Server } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import type { MediaNodeConfig } from '@voicefleet/api';
import { AdmissionBoard } from '../rtp-thread/index.js';
import { CallEventBus } from '../core/call-events.js';
import { boundPort, startOpsServer } from './http-server.js';
import { startMetricsServer } from './metrics-server.js';
import { LoopMonitor } from './loop-stats.js';
import type { Logger } from '../telemetry/log.js';
import { MediaNode } from '../core/media-node.js';
import { createNodeMetrics, type NodeMetrics } from '../telemetry/metrics.js';
import { createParts, type SipTuning } from './parts.js';
import { Webhooks, createWebhookMetrics, type WebhooksOptions } from '../webhooks/index.js';

/** On close, how long undelivered webhook events may still take (the calls' ends among them). */
const WEBHOOK_FLUSH_MS = 5_000;

export interface RunningServer {
  node: MediaNode;
  metrics: NodeMetrics;
  events: CallEventBus;
  httpPort: number;
  /** Where GET /metrics is served. */
  metricsPort: number;
  sipPort: number;
  close(): Promise<void>;
}

export interface ServerDeps {
  log: Logger;
  tracer: Tracer;
  env: Readonly<Record<string, string | undefined>>;
  /** SIP timer values (RFC 3261 T1, T2, T4) instead of the defaults; for tests. */
  sip?: SipTuning;
  /** Webhook retry timing instead of the defaults; for tests. */
  webhookBackoff?: WebhooksOptions['backoff'];
}

export async function startMediaNodeServer(
  config: MediaNodeConfig,
  deps: ServerDeps,
): Promise<RunningServer> {
  const { log, tracer } = deps;
  const metrics = createNodeMetrics({
    labels: { namespace: config.agent.namespace, agent: config.agent.name, region: config.region },
  });
  const events = new CallEventBus();
  const webhooks =
    config.events === undefined
      ? undefined
      : new Webhooks({
          config: config.events,
          env: deps.env,
          events,
          agent: config.agent,
          region: config.region,
          metrics: createWebhookMetrics(metrics.registry),
          log,
          ...(deps.webhookBackoff === undefined ? {} : { backoff: deps.webhookBackoff }),
        });
  const parts = await createParts(config, {
    log,
    metrics,
    env: deps.env,
    ...(deps.sip === undefined ? {} : { sip: deps.sip }),
  });
  const answerDelayMs = Number(deps.env['VOICEFLEET_ANSWER_DELAY_MS'] ?? 0) || 0;
  const admissionBoard = new AdmissionBoard();
  const node = new MediaNode({
    settings: {
      maxCalls: config.capacity.maxCalls,
      mediaTimeoutSeconds: config.media.timeoutSeconds,
      drainDeadlineSeconds: config.drain.deadlineSeconds,
      edgeUri: config.edge.uri,
      answerDelayMs,
      ...(config.transfer ? { transfer: config.transfer } : {}),
    },
    signaling: parts.signaling,
    media: parts.media,
    agents: parts.agents,
    events,
    metrics,
    log,
    tracer,
    admissionBoard,
  });
  // A node that rings before it answers (a test setting) answers every call on the event loop.
  if (answerDelayMs === 0) parts.answerOnArrival(admissionBoard);
  const loopMonitor = new LoopMonitor();
  const servers: Server[] = [];
  const closeServers = async (): Promise<void> => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
  try {
    servers.push(
      await startOpsServer(
        {
          status: () => node.status(),
          drain: () => node.drain(),
          placeCall: (to, options) => node.placeCall(to, options),
          outboundCall: (callId) => node.outboundCall(callId),
          cancelCall: (callId) => node.cancelCall(callId),
          events,
          log,
          mediaStats: async (reset) => {
            const loop = loopMonitor.stats();
            if (reset) loopMonitor.reset();
            return { ...(await parts.rtp.pacing(reset)), loop };
          },
        },
        config.http.host,
        config.http.port,
      ),
    );
    servers.push(
      await startMetricsServer(
        { registry: metrics.registry, moreMetrics: () => parts.rtp.metrics(), log },
        config.metrics.host,
        config.metrics.port,
      ),
    );
  } catch (error) {
    await closeServers();
    loopMonitor.close();
    await node.close();
    await parts.close();
    webhooks?.close();
    throw new Error(`start HTTP ${servers.length === 0 ? 'control' : 'metrics'} server`, {
      cause: error,
    });
  }
  const [http, metricsServer] = servers as [Server, Server];
  const httpPort = boundPort(http);
  const metricsPort = boundPort(metricsServer);
  log.info('media node ready', {
    sipPort: parts.sipPort,
    httpPort,
    metricsPort,
    maxCalls: config.capacity.maxCalls,
  });
  return {
    node,
    metrics,
    events,
    httpPort,
    metricsPort,
    sipPort: parts.sipPort,
    close: async () => {
      loopMonitor.close();
      await node.close();
      await parts.close();
      await webhooks?.flush(WEBHOOK_FLUSH_MS);
      webhooks?.close();
      await closeServers();
    },
  };
}
