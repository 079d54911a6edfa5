// A media node in the test's own process (startMediaNodeServer), so a test can stall its event
// loop on purpose: the RTP thread (which answers new calls on arrival) runs on, and everything
// the event loop should do waits until the stall ends.
import { trace } from '@opentelemetry/api';
import { loadMediaNodeConfig } from '@voicefleet/api';
import { stringify } from 'yaml';
import { createJsonLogger } from '../../media-node/src/telemetry/log.js';
import {
  startMediaNodeServer,
  type RunningServer,
  type ServerDeps,
} from '../../media-node/src/node/server.js';
import {
  FRONT_DESK_GREETING,
  FRONT_DESK_SCRIPT,
} from '../../media-node/src/providers/scripted/front-desk-script.js';
import { freePorts } from '@voicefleet/devtools/processes';

export interface InProcessNodeOptions {
  maxCalls?: number;
  /** SIP port (default: a free one). */
  sipPort?: number;
  /** Environment the node reads (e.g. VOICEFLEET_ANSWER_DELAY_MS). */
  env?: Record<string, string>;
  /** SIP timer values and session-timer policy, instead of the RFC defaults. */
  sip?: ServerDeps['sip'];
  drainDeadlineSeconds?: number;
  /** Collects the node's log lines (info and up) instead of printing its errors. */
  logLines?: string[];
}

/** Starts a front-desk node (energy VAD, fake STT, espeak-ng, the scripted dialogue) on loopback. */
export async function startInProcessNode(o: InProcessNodeOptions = {}): Promise<RunningServer> {
  const [freeSip = 0, httpPort = 0] = await freePorts(2);
  const rtpBase = 30000 + 2 * Math.floor(Math.random() * 4000);
  const config = loadMediaNodeConfig(
    stringify({
      agent: { namespace: 'default', name: 'front-desk' },
      region: 'local',
      sip: { host: '127.0.0.1', port: o.sipPort ?? freeSip },
      rtp: { host: '127.0.0.1', portMin: rtpBase, portMax: rtpBase + 999 },
      http: { host: '127.0.0.1', port: httpPort },
      metrics: { host: '127.0.0.1', port: 0 },
      capacity: { maxCalls: o.maxCalls ?? 10 },
      codecs: ['PCMU', 'PCMA'],
      edge: { uri: 'sip:127.0.0.1:5060' },
      media: { timeoutSeconds: 20 },
      drain: { deadlineSeconds: o.drainDeadlineSeconds ?? 30 },
      pipeline: {
        greeting: FRONT_DESK_GREETING,
        vad: { provider: 'energy', endOfTurnMs: 500 },
        stt: { provider: 'fake' },
        tts: { provider: 'espeak', voice: 'en-us' },
        llm: { provider: 'scripted', script: FRONT_DESK_SCRIPT },
      },
    }),
  );
  return startMediaNodeServer(config, {
    log: o.logLines
      ? createJsonLogger({ level: 'info', write: (line) => void o.logLines?.push(line) })
      : createJsonLogger({ level: 'error' }),
    tracer: trace.getTracer('in-process-node'),
    env: o.env ?? {},
    ...(o.sip === undefined ? {} : { sip: o.sip }),
  });
}

/** Blocks this event loop (the node's) for `ms`. */
export function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * Stalls the event loop for `ms` out of every `periodMs` until stopped: what arrives meanwhile
 * waits for the event loop, as it does behind a long garbage collection or a busy turn.
 */
export function stallEvery(ms: number, periodMs: number): { stop(): void } {
  const timer = setInterval(() => stall(ms), periodMs);
  return { stop: () => clearInterval(timer) };
}
