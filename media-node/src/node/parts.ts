/**
 * Builds the node's parts from its config: the SIP endpoint (signaling port) with its UDP socket on
 * the RTP thread, the RTP thread with every call's session on it (media factory; barge-in held
 * there when the turn detector's onset is WebRTC VAD), and the shared providers with per-call agent
 * sessions. `answerOnArrival` has the thread answer plain new calls itself
 * (rtp-thread/worker/answer-on-arrival.ts) within what the node publishes on an AdmissionBoard.
 */
import type { MediaNodeConfig } from '@voicefleet/api';
import { cachedTts } from '../providers/cached-tts.js';
import { createEspeakTts } from '../providers/local/espeak-tts.js';
import { createProviders } from '../providers/registry.js';
import type { PipelineConfig } from '../providers/pipeline-config.js';
import { RtpThread, type AdmissionBoard } from '../rtp-thread/index.js';
import { loadTurnDetection } from '../vad/index.js';
import { createAgentFactory } from '../adapters/agent-factory.js';
import {
  DEFAULT_PARSE_LIMITS,
  DEFAULT_SESSION_TIMER,
  type SessionTimerPolicy,
  type TimerValues,
} from '../sip/index.js';
import type { AgentFactory, MediaFactory, SignalingPort } from '../core/call-ports.js';
import type { Logger } from '../telemetry/log.js';
import type { NodeMetrics } from '../telemetry/metrics.js';
import { callSessionOptions, createRtpMediaFactory } from '../adapters/rtp-media.js';
import { listenSipSignaling } from '../adapters/sip-signaling.js';
import { outboundTarget } from '../core/media-node.js';

/** SIP settings that only tests change (the defaults are the RFC's). */
export interface SipTuning {
  timerValues?: TimerValues;
  /** Session timers below RFC 4028's 90 s minimum let a test see a refresh in seconds. */
  sessionTimer?: SessionTimerPolicy;
}

export interface NodeParts {
  signaling: SignalingPort;
  media: MediaFactory;
  agents: AgentFactory;
  /** The RTP thread: every call's session and the pacing scheduler. */
  rtp: RtpThread;
  sipPort: number;
  /** From now on the RTP thread answers plain new calls itself, as `board` admits. */
  answerOnArrival(board: AdmissionBoard): void;
  close(): Promise<void>;
}

export async function createParts(
  config: MediaNodeConfig,
  deps: {
    log: Logger;
    metrics: NodeMetrics;
    env: Readonly<Record<string, string | undefined>>;
    sip?: SipTuning;
  },
): Promise<NodeParts> {
  const { log, metrics } = deps;
  const pipeline: PipelineConfig = config.pipeline;
  const providers = createProviders(pipeline, { env: deps.env });
  // Apologies are a few fixed prompts: said once by espeak-ng, replayed after (a provider outage
  // has every call apologise at once).
  const fallbackTts = pipeline.tts.provider === 'espeak' ? undefined : cachedTts(createEspeakTts());
  const turns = await loadTurnDetection(pipeline.vad ?? { provider: 'silero' });
  const rtp = await RtpThread.start();
  const sessionTimer = deps.sip?.sessionTimer ?? DEFAULT_SESSION_TIMER;
  const sipLog = log.child({ component: 'sip' });
  const { signaling, port, contact, heldInviteKeys } = await listenSipSignaling({
    host: config.sip.host,
    port: config.sip.port,
    bindUdp: (host, udpPort) =>
      rtp.listenSip(host, udpPort, (error) =>
        sipLog.error('sip udp socket lost with the RTP thread, not bound again', {
          error: String(error),
        }),
      ),
    advertisedHost: config.sip.advertisedHost,
    // a user part: in-dialog INVITEs are sent to our Contact, and proxies check for one (484)
    contactUser: config.agent.name,
    ...(deps.sip?.timerValues === undefined ? {} : { timerValues: deps.sip.timerValues }),
    sessionTimer,
    log: sipLog,
    metrics,
  });
  const advertisedHost =
    config.sip.advertisedHost || (config.rtp.host === '0.0.0.0' ? '127.0.0.1' : config.rtp.host);
  const portRange = { min: config.rtp.portMin, max: config.rtp.portMax };
  const sessionDefaults = callSessionOptions({
    mediaTimeoutMs: config.media.timeoutSeconds * 1000,
    ...(turns.bargeInOnsetFrames === undefined
      ? {}
      : { bargeInOnsetFrames: turns.bargeInOnsetFrames }),
  });
  const media = createRtpMediaFactory({
    rtp,
    bindHost: config.rtp.host,
    advertisedHost,
    portRange,
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
    ...(pipeline.bargeIn === undefined ? {} : { bargeIn: pipeline.bargeIn }),
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
    answerOnArrival: (board) =>
      rtp.answerOnArrival({
        board,
        contact,
        limits: DEFAULT_PARSE_LIMITS,
        codecs: config.codecs,
        mediaAddress: advertisedHost,
        sessionTimer,
        heldInvites: heldInviteKeys,
        rtpHost: config.rtp.host,
        portRange,
        session: sessionDefaults,
      }),
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
