/**
 * Builds the node's parts from its config: the SIP endpoint (signaling port), the RTP thread with
 * every call's session on it (media factory; barge-in held there when the turn detector's onset is
 * WebRTC VAD), and the shared providers with per-call agent sessions.
 */
import type { MediaNodeConfig } from '@voicefleet/api';
import { cachedTts } from '../providers/cached-tts.js';
import { createEspeakTts } from '../providers/local/espeak-tts.js';
import { createProviders } from '../providers/registry.js';
import type { PipelineConfig } from '../providers/pipeline-config.js';
import { RtpThread } from '../rtp/rtp-thread.js';
import { loadTurnDetection } from '../vad/index.js';
import { createAgentFactory } from './agent-factory.js';
import type { AgentFactory, MediaFactory, SignalingPort } from './call-ports.js';
import type { Logger } from './log.js';
import type { NodeMetrics } from './metrics.js';
import { createRtpMediaFactory } from './rtp-media.js';
import { listenSipSignaling } from './sip-signaling.js';
import { outboundTarget } from './media-node.js';

export interface NodeParts {
  signaling: SignalingPort;
  media: MediaFactory;
  agents: AgentFactory;
  /** The RTP thread: every call's session and the pacing scheduler. */
  rtp: RtpThread;
  sipPort: number;
  close(): Promise<void>;
}

export async function createParts(
  config: MediaNodeConfig,
  deps: { log: Logger; metrics: NodeMetrics; env: Readonly<Record<string, string | undefined>> },
): Promise<NodeParts> {
  const { log, metrics } = deps;
  const pipeline = config.pipeline as PipelineConfig;
  const providers = createProviders(pipeline, { env: deps.env });
  // Apologies are a few fixed prompts: said once by espeak-ng, replayed after (a provider outage
  // has every call apologise at once).
  const fallbackTts = pipeline.tts.provider === 'espeak' ? undefined : cachedTts(createEspeakTts());
  const turns = await loadTurnDetection(pipeline.vad ?? { provider: 'silero' });
  const rtp = await RtpThread.start();
  const { signaling, port } = await listenSipSignaling({
    host: config.sip.host,
    port: config.sip.port,
    advertisedHost: config.sip.advertisedHost,
    log: log.child({ component: 'sip' }),
    metrics,
  });
  const advertisedHost =
    config.sip.advertisedHost || (config.rtp.host === '0.0.0.0' ? '127.0.0.1' : config.rtp.host);
  const media = createRtpMediaFactory({
    rtp,
    bindHost: config.rtp.host,
    advertisedHost,
    portRange: { min: config.rtp.portMin, max: config.rtp.portMax },
    codecs: config.codecs,
    mediaTimeoutMs: config.media.timeoutSeconds * 1000,
    ...(turns.bargeInOnsetFrames === undefined
      ? {}
      : { bargeInOnsetFrames: turns.bargeInOnsetFrames }),
  });
  const agents = createAgentFactory({
    ...(pipeline.greeting === undefined ? {} : { greeting: pipeline.greeting }),
    providers,
    turnDetector: turns.factory,
    ...(pipeline.vad?.prepareAhead === undefined
      ? {}
      : { prepareAhead: pipeline.vad.prepareAhead }),
    ...(fallbackTts === undefined ? {} : { fallbackTts }),
    ...(config.transfer
      ? { transferTarget: outboundTarget(config.transfer.target, config.edge.uri) }
      : {}),
    log: log.child({ component: 'agent' }),
  });
  return {
    signaling,
    media,
    agents,
    rtp,
    sipPort: port,
    close: async () => {
      await signaling.close();
      await rtp.close();
      await turns.close();
      await Promise.allSettled([
        providers.stt.close(),
        providers.tts.close(),
        providers.llm.close(),
        fallbackTts?.close(),
      ]);
    },
  };
}
